{#
  One play = one listener with one episode in one session (a pause and resume within the
  session is the same play; coming back after the inactivity gap is a new one).
#}
with spans as (

    select * from {{ ref('int_listening_spans_measured') }}

),

session_events as (

    select * from {{ ref('int_user_events_sessionized') }}

),

completions as (

    select distinct session_id, episode_id
    from session_events
    where event_type = 'complete'

),

plays as (

    select
        spans.session_id,
        spans.episode_id,
        spans.user_id,
        -- an episode belongs to one podcast; min() keeps the choice deterministic if an
        -- app ever disagrees with itself
        min(spans.podcast_id) as podcast_id,
        min(spans.span_start_ts) as play_start_ts,
        max(spans.span_start_ts) as play_end_ts,
        sum(spans.seconds_listened) as seconds_listened,
        max(case when spans.seconds_listened > 0 then spans.span_end_position_s end)
            as furthest_position_listened_s,
        max(spans.episode_duration_s) as episode_duration_s,
        count(*) as playhead_events,
        max(spans.loaded_at) as loaded_at
    from spans
    group by spans.session_id, spans.episode_id, spans.user_id

),

with_completion as (

    select
        {{ generate_surrogate_key(['plays.session_id', 'plays.episode_id']) }} as play_id,
        plays.session_id,
        plays.user_id,
        plays.podcast_id,
        plays.episode_id,
        plays.play_start_ts,
        plays.play_end_ts,
        cast(plays.play_start_ts as date) as event_date,
        plays.seconds_listened,
        plays.furthest_position_listened_s,
        plays.episode_duration_s,
        completions.episode_id is not null as is_completed,
        case
            when plays.episode_duration_s > 0
                then least(1.0, plays.seconds_listened / plays.episode_duration_s)
        end as consumption_ratio,
        plays.playhead_events,
        plays.loaded_at
    from plays
    left join completions
        on plays.session_id = completions.session_id
        and plays.episode_id = completions.episode_id

)

select * from with_completion
