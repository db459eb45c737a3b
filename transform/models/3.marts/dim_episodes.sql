{{ rebuilt_when_anything_changed_config() }}
-- One row per episode seen in any valid event; its podcast and duration are the ones every
-- mart uses (int_episodes_resolved, methodology rule 8).
with episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

events as (

    select * from {{ ref('stg_user_events') }}

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
        episodes.reported_podcasts,
        activity.first_event_ts,
        activity.last_event_ts,
        activity.lifetime_listeners
    from episodes
    inner join activity on episodes.episode_id = activity.episode_id

)

select * from described
{{ when_anything_changed() }}
