-- One row per episode seen in any valid event; its podcast and duration are the ones every
-- mart uses (int_episodes_resolved, methodology rule 8: the catalog's where it lists the
-- episode, the events' otherwise), with the catalog's title and release time.
with episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

events as (

    select * from {{ ref('fct_listening_events') }}

),

activity as (

    select
        episode_id,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct user_id) as lifetime_listeners
    from events
    where episode_id is not null
    group by episode_id

),

described as (

    select
        episodes.episode_id,
        episodes.podcast_id,
        episodes.episode_duration_s,
        episodes.duration_source,
        episodes.title,
        episodes.published_at,
        episodes.reported_podcasts,
        activity.first_event_ts,
        activity.last_event_ts,
        activity.lifetime_listeners
    from episodes
    inner join activity on episodes.episode_id = activity.episode_id

)

select * from described
