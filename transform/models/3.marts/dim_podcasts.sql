-- One row per podcast seen in any valid event.
with events as (

    select * from {{ ref('fct_listening_events') }}

),

podcasts as (

    select
        podcast_id,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct episode_id) as episodes,
        count(distinct user_id) as lifetime_listeners
    from events
    group by podcast_id

)

select * from podcasts
