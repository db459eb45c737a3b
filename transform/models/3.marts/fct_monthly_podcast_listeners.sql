-- Listeners per podcast per calendar month (UTC): counted over the month's plays.
{{ period_listeners(month_start('event_date'), 'month_start', by_podcast=true) }}
