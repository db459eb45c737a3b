-- Listeners of the whole network per calendar month (UTC): counted over the month's plays.
{{ period_listeners(month_start('event_date'), 'month_start', by_podcast=false) }}
