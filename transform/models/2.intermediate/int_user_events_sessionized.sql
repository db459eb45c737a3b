{#
  Every valid event, with its listening session for playback events. A session is built
  from playback events only (play, pause, resume, seek, progress, complete, skip): more than
  `session_gap_minutes` (shared config) between two of a listener's playback events starts
  a new one. Downloads, subscribes and unsubscribes belong to no session, so a background
  download during a pause neither extends nor splits it. The app's own session_id is
  optional and apps disagree on it, so sessions are derived here the same way for everyone.
  Events in the same instant are ordered by `playback_order` (stop, move, start), then id.
#}
with user_events as (

    select * from {{ ref('stg_user_events') }}

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
        typed_events.loaded_at
    from typed_events
    left join playback_with_session on typed_events.event_id = playback_with_session.event_id

)

select * from with_session_id
