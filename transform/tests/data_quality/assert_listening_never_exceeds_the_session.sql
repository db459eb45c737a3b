-- Listened time is measured in episode seconds, so fast playback can exceed wall time; but
-- never by more than the fastest playback speed, or the span arithmetic is wrong.
with sessions as (

    select * from {{ ref('fct_listening_sessions') }}

),

impossible as (

    select session_id, seconds_listened, session_duration_s
    from sessions
    where seconds_listened > {{ shared_setting('max_playback_speed') }} * session_duration_s + 0.001

)

select * from impossible
