{#
  Every valid event with its listening session: a listener's session ends after
  `session_gap_minutes` (shared config) without any event. The app's own session_id is
  optional and apps disagree on it, so sessions are derived here the same way for everyone.
#}
with user_events as (

    select * from {{ ref('stg_user_events') }}

),

sessionized as (

    {{ sessionize(
        relation='user_events',
        partition_by='user_id',
        timestamp_column='event_ts',
        tiebreak='event_id',
        gap_minutes=shared_setting('session_gap_minutes'),
    ) }}

),

with_session_id as (

    select
        {{ generate_surrogate_key(['user_id', 'session_start_ts']) }} as session_id,
        event_id,
        event_type,
        event_ts,
        event_date,
        user_id,
        podcast_id,
        episode_id,
        position_s,
        seek_from_s,
        episode_duration_s,
        client_session_id,
        client_app,
        client_app_version,
        client_platform,
        {{ generate_surrogate_key(['client_app', 'client_app_version', 'client_platform']) }} as client_id,
        country,
        session_number,
        session_start_ts,
        is_session_start,
        loaded_at
    from sessionized

)

select * from with_session_id
