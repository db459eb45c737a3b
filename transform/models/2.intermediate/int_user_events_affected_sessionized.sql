{{ config(materialized='table') }}
-- int_user_events_sessionized over this run's affected events only (int_user_events_affected).
{{ user_events_sessionized(ref('int_user_events_affected')) }}
