{#
  One play = one listener with one episode in one session that has a play or resume event
  or any listened seconds (methodology, rule 4): a lone skip, pause or complete (a queue
  skip, "mark as played") is not a play. Pausing and resuming within the session is the
  same play; coming back after the inactivity gap is a new one. The episode's podcast and
  duration come from `int_episodes_resolved` (rule 8).
#}
with spans as (

    select * from {{ ref('int_listening_spans_measured') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

first_events as (

    -- the play's app, platform and country: those of its first event
    select session_id, episode_id, client_app, client_platform, country
    from spans
    qualify row_number() over (
        partition by session_id, episode_id
        order by span_start_ts, playback_order, span_start_event_id
    ) = 1

),

session_episodes as (

    select
        session_id,
        episode_id,
        user_id,
        min(span_start_ts) as play_start_ts,
        max(span_start_ts) as play_end_ts,
        sum(seconds_listened) as seconds_listened,
        max(segment_end_s) as furthest_position_listened_s,
        max(case when span_start_event_type in ('play', 'resume') then 1 else 0 end) = 1
            as has_start_event,
        max(case when span_start_event_type = 'complete' then 1 else 0 end) = 1
            as app_reported_complete,
        count(*) as playhead_events,
        max(loaded_at) as loaded_at
    from spans
    group by session_id, episode_id, user_id

),

plays as (

    select * from session_episodes
    where has_start_event or seconds_listened > 0

),

measured as (

    select
        {{ generate_surrogate_key(['plays.session_id', 'plays.episode_id']) }} as play_id,
        plays.session_id,
        plays.user_id,
        episodes.podcast_id,
        plays.episode_id,
        plays.play_start_ts,
        plays.play_end_ts,
        cast(plays.play_start_ts as date) as event_date,
        {{ as_seconds('plays.seconds_listened') }} as seconds_listened,
        plays.furthest_position_listened_s,
        episodes.episode_duration_s,
        coalesce(
            plays.furthest_position_listened_s
            >= {{ shared_setting('completion_threshold') }} * episodes.episode_duration_s,
            false
        ) as is_completed,
        plays.app_reported_complete,
        plays.seconds_listened >= {{ stream_min_seconds() }} as is_stream,
        (
            plays.seconds_listened >= {{ engaged_min_seconds() }}
            or coalesce(
                plays.seconds_listened >= {{ engaged_min_share() }} * episodes.episode_duration_s,
                false
            )
        ) as is_engaged,
        case
            when episodes.episode_duration_s > 0
                then {{ as_ratio('least(1, plays.seconds_listened / episodes.episode_duration_s)') }}
        end as consumption_ratio,
        first_events.client_app,
        first_events.client_platform,
        first_events.country,
        plays.playhead_events,
        plays.loaded_at
    from plays
    inner join episodes on plays.episode_id = episodes.episode_id
    inner join first_events
        on plays.session_id = first_events.session_id
        and plays.episode_id = first_events.episode_id

)

select * from measured
