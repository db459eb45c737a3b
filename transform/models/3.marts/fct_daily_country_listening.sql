-- Plays, listeners and minutes per day and podcast by country (of a play's first event).
{{ listening_breakdown('country') }}
