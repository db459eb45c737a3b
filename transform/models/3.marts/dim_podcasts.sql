{{ rebuilt_when_anything_changed_config() }}
-- One row per podcast seen in any valid event.
with events as (

    select * from {{ ref('stg_user_events') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

activity as (

    select
        podcast_id,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct user_id) as lifetime_listeners
    from events
    group by podcast_id

),

episode_counts as (

    select
        podcast_id,
        count(*) as episodes
    from episodes
    group by podcast_id

),

podcasts as (

    select
        activity.podcast_id,
        activity.first_event_ts,
        activity.last_event_ts,
        activity.lifetime_listeners,
        coalesce(episode_counts.episodes, 0) as episodes
    from activity
    left join episode_counts on activity.podcast_id = episode_counts.podcast_id

)

select * from podcasts
{{ when_anything_changed() }}
