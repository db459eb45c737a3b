{{ touched_keys_config(['user_id'], 'int_user_events_affected') }}
-- One row per listener (pseudonymous user_id) seen in any valid event. Incremental runs
-- recompute the listeners with affected events, from their rows only.
{%- set listener_key = {'user_id': 'fact_row.user_id'} %}
with events as (

    {{ rows_of_touched_keys(ref('stg_user_events'), listener_key, 'int_user_events_affected') }}

),

plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), listener_key, 'int_user_events_affected') }}

),

sessions as (

    {{ rows_of_touched_keys(ref('fct_listening_sessions'), listener_key, 'int_user_events_affected') }}

),

session_counts as (

    select user_id, count(*) as sessions
    from sessions
    group by user_id

),

latest_country as (

    select user_id, country
    from events
    where country is not null
    qualify row_number() over (partition by user_id order by event_ts desc, event_id desc) = 1

),

activity as (

    select
        user_id,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts
    from events
    group by user_id

),

listening as (

    select
        user_id,
        min(event_date) as first_listen_date,
        count(*) as plays,
        {{ as_minutes('sum(seconds_listened)') }} as minutes_listened
    from plays
    group by user_id

),

listeners as (

    select
        activity.user_id,
        activity.first_event_ts,
        activity.last_event_ts,
        listening.first_listen_date,
        {{ week_start('listening.first_listen_date') }} as cohort_week,
        latest_country.country,
        coalesce(session_counts.sessions, 0) as sessions,
        coalesce(listening.plays, 0) as plays,
        coalesce(listening.minutes_listened, {{ as_minutes('0') }}) as minutes_listened
    from activity
    left join listening on activity.user_id = listening.user_id
    left join latest_country on activity.user_id = latest_country.user_id
    left join session_counts on activity.user_id = session_counts.user_id

)

select * from listeners
