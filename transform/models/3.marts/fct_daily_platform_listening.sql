-- Plays, listeners and minutes per day and podcast by platform (of a play's first event).
{{ listening_breakdown('client_platform') }}
