-- Plays, listeners and minutes per day and podcast by client app (the app of a play's first event).
{{ listening_breakdown('client_app') }}
