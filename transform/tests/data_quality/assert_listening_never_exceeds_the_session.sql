-- Listened time is measured in episode seconds, so fast playback can exceed wall time; but
-- not by more than 4x (no app plays faster), or the playhead arithmetic is wrong.
with sessions as (

    select * from {{ ref('fct_listening_sessions') }}

),

impossible as (

    select session_id, seconds_listened, session_duration_s
    from sessions
    where seconds_listened > 4 * session_duration_s + 1

)

select * from impossible
