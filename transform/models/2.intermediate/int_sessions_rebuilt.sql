{#
  The sessions this incremental run rebuilds, with their bounds: the session-keyed facts
  delete their rows inside these bounds (`delete_rebuilt_sessions`) and append the new ones.
#}
with session_events as (

    select * from {{ ref('int_user_events_affected_sessionized') }}

),

sessions as (

    select
        session_id,
        user_id,
        min(event_ts) as session_start_ts,
        max(event_ts) as session_end_ts
    from session_events
    where session_id is not null
    group by session_id, user_id

)

select * from sessions
