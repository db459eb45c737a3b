-- depends_on: {{ ref('stg_user_events') }}
-- depends_on: {{ ref('fct_episode_plays') }}
-- depends_on: {{ ref('fct_listening_sessions') }}
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
  Event grain, with the listening session each event belongs to. Incremental runs rebuild
  every listener who has events loaded since the high-water mark (less the lookback): a
  late event can move its neighbours into another session, so their rows are rewritten too.
#}
with session_events as (

    select * from {{ ref('int_user_events_sessionized') }}

),

{% if is_incremental() -%}
affected_listeners as (

    {{ listeners_with_unmodelled_events() }}

),

{% endif -%}
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
        loaded_at
    from session_events
    {% if is_incremental() -%}
    where user_id in (select user_id from affected_listeners)
    {%- endif %}

)

select * from events
