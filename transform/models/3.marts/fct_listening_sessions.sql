-- depends_on: {{ ref('stg_user_events') }}
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
  One row per listening session (playback events only: methodology, rule 1). The key for incremental runs is the listener, not the
  session: a late event can join two sessions into one (or split one), so an affected
  listener's sessions are replaced as a whole (delete+insert on user_id).
#}
with session_events as (

    select * from {{ ref('int_user_events_sessionized') }}

),

plays as (

    select * from {{ ref('int_episode_plays_aggregated') }}

),

{% if is_incremental() -%}
newly_loaded as (

    select * from {{ ref('stg_user_events') }}
    where {{ loaded_since_high_water_mark() }}

),

{% endif -%}
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
    {%- if is_incremental() %}
        and user_id in (select user_id from newly_loaded)
    {%- endif %}
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
