-- depends_on: {{ ref('int_user_events_affected_sessionized') }}
-- depends_on: {{ ref('int_episode_plays_affected') }}
-- depends_on: {{ ref('int_sessions_rebuilt') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_rebuilt_sessions('session_start_ts') }}",
        tmp_relation_type=tmp_relation_type_for(),
        cluster_by=cluster_by_for(['event_date']),
        on_schema_change='fail',
    )
}}
{#
  One row per listening session (playback events only: methodology, rule 1); also the
  session manifest incremental runs look sessions up in (int_user_events_affected). A late
  event can extend a session or join two into one, so incremental runs replace the sessions
  they rebuild: the pre-hook deletes the sessions starting inside a rebuilt one, the rebuilt
  ones are appended.
#}
with session_events as (

    select * from {{ ref('int_user_events_affected_sessionized') if affected_only() else ref('int_user_events_sessionized') }}

),

plays as (

    select * from {{ ref('int_episode_plays_affected') if affected_only() else ref('int_episode_plays_aggregated') }}

),

events_by_session as (

    select
        session_id,
        user_id,
        min(event_ts) as session_start_ts,
        max(event_ts) as session_end_ts,
        count(*) as events,
        max(loaded_at) as loaded_at
    from session_events
    where session_id is not null
    group by session_id, user_id

),

plays_by_session as (

    select
        session_id,
        count(*) as plays,
        count(distinct episode_id) as episodes,
        {{ as_seconds('sum(seconds_listened)') }} as seconds_listened
    from plays
    group by session_id

),

sessions as (

    select
        events_by_session.session_id,
        events_by_session.user_id,
        cast(events_by_session.session_start_ts as date) as event_date,
        events_by_session.session_start_ts,
        events_by_session.session_end_ts,
        cast({{ seconds_between('events_by_session.session_start_ts', 'events_by_session.session_end_ts') }}
            as decimal(18, 6)) as session_duration_s,
        events_by_session.events,
        coalesce(plays_by_session.plays, 0) as plays,
        coalesce(plays_by_session.episodes, 0) as episodes,
        coalesce(plays_by_session.seconds_listened, 0) as seconds_listened,
        events_by_session.loaded_at
    from events_by_session
    left join plays_by_session on events_by_session.session_id = plays_by_session.session_id

)

select * from sessions
