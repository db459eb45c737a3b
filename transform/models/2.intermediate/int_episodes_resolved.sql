{#- A table, not a view: about ten models read it, and as a view each of them would group
    every staged event again (all of history) on every run; stored, that happens once. -#}
{{ config(materialized='table') }}
{#
  One podcast and one duration per episode (methodology, rule 8), so apps that disagree
  cannot split a day's row: every mart takes an episode's podcast and length from here.
  The catalog is the truth wherever it lists the episode (its latest valid version,
  stg_catalog__episodes: the feed's `itunes:duration` and the show it is published in).
  Otherwise, from the events: the podcast is the smallest id any app reported
  (deterministic; a disagreement is a catalogue error in an app) and the duration the
  longest reported (a shorter one usually comes from a truncated download).
#}
with user_events as (

    select * from {{ ref('stg_user_events') }}

),

catalog_episodes as (

    select * from {{ ref('stg_catalog__episodes') }}

),

reported as (

    select
        episode_id,
        min(podcast_id) as podcast_id,
        {{ as_seconds('max(episode_duration_s)') }} as episode_duration_s,
        count(distinct podcast_id) as reported_podcasts
    from user_events
    where episode_id is not null
    group by episode_id

),

episodes as (

    select
        reported.episode_id,
        reported.reported_podcasts,
        catalog_episodes.title,
        catalog_episodes.published_at,
        coalesce(catalog_episodes.podcast_id, reported.podcast_id) as podcast_id,
        coalesce(catalog_episodes.duration_s, reported.episode_duration_s) as episode_duration_s,
        case
            when catalog_episodes.duration_s is not null then 'catalog'
            when reported.episode_duration_s is not null then 'events'
        end as duration_source
    from reported
    left join catalog_episodes on reported.episode_id = catalog_episodes.episode_id

)

select * from episodes
