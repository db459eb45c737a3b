{#
  The listening models' logic, one macro per intermediate step, each over the relation it is
  given: the intermediate views apply them to all staged events, and incremental runs to
  the events of the sessions they rebuild (int_user_events_affected), so both paths run the
  same SQL. Each model's header says what its step computes and why.
#}

{#- The body of int_user_events_sessionized (its header says what and why). -#}
{% macro user_events_sessionized(source_relation) -%}
with user_events as (

    select * from {{ source_relation }}

),

typed_events as (

    select
        event_id,
        event_type,
        event_ts,
        event_date,
        user_id,
        podcast_id,
        episode_id,
        -- positions at millisecond precision: exact decimals from here on
        {{ as_seconds('position_s') }} as position_s,
        {{ as_seconds('seek_from_s') }} as seek_from_s,
        {{ as_seconds('episode_duration_s') }} as episode_duration_s,
        client_session_id,
        client_app,
        client_app_version,
        client_platform,
        country,
        loaded_at,
        source_file,
        {{ playback_order('event_type') }} as playback_order,
        event_type in {{ playback_event_types() }} as is_playback
    from user_events

),

playback_events as (

    select * from typed_events
    where is_playback

),

sessionized as (

    {{ sessionize(
        relation='playback_events',
        partition_by='user_id',
        timestamp_column='event_ts',
        tiebreak='playback_order, event_id',
        gap_minutes=shared_setting('session_gap_minutes'),
    ) }}

),

playback_with_session as (

    select
        {{ generate_surrogate_key(['user_id', 'session_start_ts']) }} as session_id,
        event_id,
        session_number,
        session_start_ts,
        is_session_start
    from sessionized

),

with_session_id as (

    select
        playback_with_session.session_id,
        typed_events.event_id,
        typed_events.event_type,
        typed_events.event_ts,
        typed_events.event_date,
        typed_events.user_id,
        typed_events.podcast_id,
        typed_events.episode_id,
        typed_events.position_s,
        typed_events.seek_from_s,
        typed_events.episode_duration_s,
        typed_events.client_session_id,
        typed_events.client_app,
        typed_events.client_app_version,
        typed_events.client_platform,
        {{ generate_surrogate_key(['typed_events.client_app', 'typed_events.client_app_version', 'typed_events.client_platform']) }}
            as client_id,
        typed_events.country,
        typed_events.playback_order,
        playback_with_session.session_number,
        playback_with_session.session_start_ts,
        playback_with_session.is_session_start,
        typed_events.loaded_at,
        typed_events.source_file
    from typed_events
    left join playback_with_session on typed_events.event_id = playback_with_session.event_id

)

select * from with_session_id
{%- endmacro %}

{#- The body of int_listening_spans_measured (its header says what and why). -#}
{% macro listening_spans_measured(source_relation) -%}
with session_events as (

    select * from {{ source_relation }}

),

playback_events as (

    select * from session_events
    where session_id is not null

),

with_next_event as (

    select
        *,
        lead(episode_id) over (partition by session_id order by event_ts, playback_order, event_id) as next_episode_id,
        lead(event_type) over (partition by session_id order by event_ts, playback_order, event_id) as next_event_type,
        lead(position_s) over (partition by session_id order by event_ts, playback_order, event_id) as next_position_s,
        lead(seek_from_s) over (partition by session_id order by event_ts, playback_order, event_id) as next_seek_from_s,
        lead(event_ts) over (partition by session_id order by event_ts, playback_order, event_id) as next_event_ts
    from playback_events

),

measured as (

    select
        event_id as span_start_event_id,
        session_id,
        user_id,
        podcast_id,
        episode_id,
        event_type as span_start_event_type,
        event_ts as span_start_ts,
        playback_order,
        position_s as span_start_position_s,
        case
            when next_episode_id = episode_id
                then case when next_event_type = 'seek' then next_seek_from_s else next_position_s end
        end as span_end_position_s,
        event_type in ('play', 'resume', 'progress', 'seek') as is_playing,
        cast({{ seconds_between('event_ts', 'next_event_ts') }} as decimal(18, 6)) as span_wall_clock_s,
        client_app,
        client_platform,
        country,
        loaded_at
    from with_next_event

),

listened as (

    select
        *,
        {{ as_seconds("case
            when is_playing and span_end_position_s > span_start_position_s
                then least(
                    span_end_position_s - span_start_position_s,
                    span_wall_clock_s * " ~ shared_setting('max_playback_speed') ~ "
                )
            else 0
        end") }} as seconds_listened
    from measured

),

spans as (

    select
        *,
        case when seconds_listened > 0 then span_start_position_s end as segment_start_s,
        case when seconds_listened > 0 then span_start_position_s + seconds_listened end as segment_end_s
    from listened

)

select * from spans
{%- endmacro %}

{#- The body of int_episode_plays_aggregated (its header says what and why). -#}
{% macro episode_plays_aggregated(source_relation) -%}
with spans as (

    select * from {{ source_relation }}

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
{%- endmacro %}
