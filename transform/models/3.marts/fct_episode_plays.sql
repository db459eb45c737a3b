-- depends_on: {{ ref('stg_user_events') }}
-- depends_on: {{ ref('int_episodes_resolved') }}
{{
    config(
        materialized='incremental',
        unique_key='user_id',
        incremental_strategy=incremental_strategy_for('replace'),
        tmp_relation_type=tmp_relation_type_for(),
        cluster_by=cluster_by_for(['event_date']),
        on_schema_change='fail',
    )
}}
{#
  One row per play (a listener, an episode, a session; methodology rules 4-6). Replaced per
  listener on incremental runs for the same reason as sessions: plays are cut by session
  boundaries. A listener is also replayed when the catalog changed the podcast or duration
  of an episode they played (completion and consumption depend on the duration).
#}
with plays as (

    select * from {{ ref('int_episode_plays_aggregated') }}

),

{% if is_incremental() -%}
affected_listeners as (

    {{ listeners_with_unmodelled_events() }}

),

recatalogued_listeners as (

    {{ listeners_with_recatalogued_episodes() }}

),

{% endif -%}
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
    {% if is_incremental() -%}
    where user_id in (select user_id from affected_listeners)
        or user_id in (select user_id from recatalogued_listeners)
    {%- endif %}

)

select * from affected_plays
