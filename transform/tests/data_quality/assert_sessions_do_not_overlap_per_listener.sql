-- A listener is in one session at a time: each session must start after the previous one
-- ended, and more than the inactivity gap later (otherwise they are one session).
with sessions as (

    select * from {{ ref('fct_listening_sessions') }}

),

with_previous as (

    select
        session_id,
        user_id,
        session_start_ts,
        lag(session_end_ts) over (partition by user_id order by session_start_ts) as previous_end_ts
    from sessions

),

overlapping as (

    select *
    from with_previous
    where previous_end_ts is not null
      and {{ seconds_between('previous_end_ts', 'session_start_ts') }}
          <= {{ shared_setting('session_gap_minutes') }} * 60

)

select * from overlapping
