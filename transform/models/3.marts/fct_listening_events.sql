-- depends_on: {{ ref('int_user_events_affected_sessionized') }}
-- depends_on: {{ ref('fct_episode_plays') }}
-- depends_on: {{ ref('fct_listening_sessions') }}
-- Built after every model that reads int_play_keys_touched or the rebuilt sessions: this
-- fact records what has been modelled, so a crash before it repeats the whole run's scope.
-- depends_on: {{ ref('int_listening_segments') }}
-- depends_on: {{ ref('fct_daily_podcast_kpis') }}
-- depends_on: {{ ref('fct_daily_episode_kpis') }}
-- depends_on: {{ ref('fct_daily_network_listeners') }}
-- depends_on: {{ ref('fct_weekly_podcast_listeners') }}
-- depends_on: {{ ref('fct_weekly_network_listeners') }}
-- depends_on: {{ ref('fct_monthly_podcast_listeners') }}
-- depends_on: {{ ref('fct_monthly_network_listeners') }}
-- depends_on: {{ ref('fct_daily_client_app_listening') }}
-- depends_on: {{ ref('fct_daily_platform_listening') }}
-- depends_on: {{ ref('fct_daily_country_listening') }}
-- depends_on: {{ ref('fct_listener_episodes') }}
-- depends_on: {{ ref('fct_episode_listening_curve') }}
-- depends_on: {{ ref('fct_listener_retention') }}
-- depends_on: {{ ref('fct_daily_episode_downloads') }}
-- depends_on: {{ ref('fct_daily_podcast_followers') }}
-- depends_on: {{ ref('dim_clients') }}
-- depends_on: {{ ref('dim_episodes') }}
-- depends_on: {{ ref('dim_listeners') }}
-- depends_on: {{ ref('dim_podcasts') }}
-- depends_on: {{ ref('shared_daily_episode_downloads') }}
-- depends_on: {{ ref('shared_daily_episode_kpis') }}
-- depends_on: {{ ref('shared_daily_podcast_followers') }}
-- depends_on: {{ ref('shared_daily_podcast_kpis') }}
-- depends_on: {{ ref('shared_monthly_podcast_listeners') }}
-- depends_on: {{ ref('shared_weekly_podcast_listeners') }}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=incremental_strategy_for('unique'),
        tmp_relation_type=tmp_relation_type_for(),
        cluster_by=cluster_by_for(['event_date', 'event_type']),
        on_schema_change='fail',
    )
}}
{#
  Event grain, with the listening session each event belongs to. Incremental runs rewrite
  the events of the sessions they rebuild (int_user_events_affected: a late event can move
  its neighbours into another session) and the changed events outside sessions. Built
  after the other session facts, it records what has been modelled (`not_yet_modelled`).
#}
with session_events as (

    select * from {{ ref('int_user_events_affected_sessionized') if affected_only() else ref('int_user_events_sessionized') }}

),

events as (

    select
        event_id,
        event_type,
        event_ts,
        event_date,
        session_id,
        user_id,
        podcast_id,
        episode_id,
        client_id,
        position_s,
        seek_from_s,
        episode_duration_s,
        client_session_id,
        country,
        loaded_at,
        source_file
    from session_events

)

select * from events
