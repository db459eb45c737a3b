-- No session lasts longer than `max_session_hours` (shared config): incremental runs look
-- for the sessions a new event can join no further back than that (int_user_events_affected),
-- so a longer one could be missed. A failure here means: raise max_session_hours.
with sessions as (

    select * from {{ ref('fct_listening_sessions') }}

),

too_long as (

    select session_id, user_id, session_start_ts, session_end_ts, session_duration_s
    from sessions
    where session_duration_s > {{ shared_setting('max_session_hours') }} * 3600

)

select * from too_long
