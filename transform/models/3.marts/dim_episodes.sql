-- One row per episode seen in any valid event.
with events as (

    select * from {{ ref('fct_listening_events') }}

),

episodes as (

    select
        episode_id,
        -- an episode belongs to one podcast; min() keeps it deterministic if apps disagree
        min(podcast_id) as podcast_id,
        -- apps report the duration they know; the longest is the episode's (a shorter one
        -- usually comes from a truncated download)
        max(episode_duration_s) as episode_duration_s,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct user_id) as lifetime_listeners
    from events
    where episode_id is not null
    group by episode_id

)

select * from episodes
