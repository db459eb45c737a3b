-- Listened time is measured in episode seconds, so fast playback can exceed wall time; but
-- never by more than the fastest playback speed, or the span arithmetic is wrong.
with sessions as (

    select * from {{ ref('fct_listening_sessions') }}

),

impossible as (

    select session_id, seconds_listened, session_duration_s
    from sessions
    where seconds_listened > {{ var('max_playback_speed', 3) }} * session_duration_s + 0.001

)

select * from impossible
