{{ rebuilt_when_anything_changed_config() }}
{#
  Downloads per episode per UTC day (methodology, downloads): `download` events, counted
  once per listener and episode within a calendar day (the IAB's calendar-day window), so
  a retried or repeated download is one download.
#}
with events as (

    select * from {{ ref('stg_user_events') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

downloads as (

    select
        events.event_date,
        episodes.podcast_id,
        events.episode_id,
        count(distinct events.user_id) as downloads,
        count(*) as download_events
    from events
    inner join episodes on events.episode_id = episodes.episode_id
    where events.event_type = 'download'
    group by events.event_date, episodes.podcast_id, events.episode_id

)

select * from downloads
{{ when_anything_changed() }}
