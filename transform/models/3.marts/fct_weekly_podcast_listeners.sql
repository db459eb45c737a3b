-- Listeners per podcast per ISO week (Monday, UTC): counted over the week's plays, not summed from days.
{{ period_listeners(week_start('event_date'), 'week_start', by_podcast=true) }}
