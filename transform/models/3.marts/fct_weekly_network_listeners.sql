-- Listeners of the whole network per ISO week (Monday, UTC): counted over the week's plays.
{{ period_listeners(week_start('event_date'), 'week_start', by_podcast=false) }}
