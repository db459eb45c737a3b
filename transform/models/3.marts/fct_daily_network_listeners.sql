-- Listeners of the whole network per UTC day (a listener of two shows is one listener).
{{ period_listeners('event_date', 'event_date', by_podcast=false) }}
