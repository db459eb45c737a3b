-- depends_on: {{ ref('int_episode_plays_affected') }}
-- depends_on: {{ ref('int_sessions_rebuilt') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_rebuilt_sessions('play_start_ts') }}",
        tmp_relation_type=tmp_relation_type_for(),
        cluster_by=cluster_by_for(['event_date']),
        on_schema_change='fail',
    )
}}
{#
  One row per play (a listener, an episode, a session; methodology rules 4-6). Plays are
  cut by session boundaries, so incremental runs replace the plays of the sessions they
  rebuild: the pre-hook deletes the plays starting inside a rebuilt session, the rebuilt
  sessions' plays are appended.
#}
with plays as (

    select * from {{ ref('int_episode_plays_affected') if affected_only() else ref('int_episode_plays_aggregated') }}

),

affected_plays as (

    select
        play_id,
        session_id,
        user_id,
        podcast_id,
        episode_id,
        event_date,
        play_start_ts,
        play_end_ts,
        seconds_listened,
        furthest_position_listened_s,
        episode_duration_s,
        is_completed,
        app_reported_complete,
        is_stream,
        is_engaged,
        consumption_ratio,
        client_app,
        client_platform,
        country,
        loaded_at
    from plays

)

select * from affected_plays
