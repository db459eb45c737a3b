{{ config(materialized='table') }}
{#
  The episodes whose resolved podcast, duration, title or release time (int_episodes_resolved:
  the catalog first) is no longer what dim_episodes holds: a catalog entry arrived or
  changed. Their plays' completion, engagement and consumption depend on the duration, so
  an incremental run rebuilds every session with a play of an episode whose podcast or
  duration changed (int_user_events_affected), whatever the age of its events.
  dim_episodes is rebuilt after every mart that reads this, so a run that dies before it
  finds the same episodes again. Empty on a first build or a full refresh.
#}
with episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

{% if incremental_scope_available() and mart_relation('dim_episodes') is not none -%}
recatalogued as (

    select
        episodes.episode_id,
        episodes.podcast_id != described.podcast_id
        or episodes.episode_duration_s is distinct from described.episode_duration_s
            as plays_change
    from episodes
    inner join {{ mart_relation('dim_episodes') }} as described
        on episodes.episode_id = described.episode_id
    where episodes.podcast_id != described.podcast_id
        or episodes.episode_duration_s is distinct from described.episode_duration_s
        or episodes.duration_source is distinct from described.duration_source
        or episodes.title is distinct from described.title
        or episodes.published_at is distinct from described.published_at

)
{%- else -%}
recatalogued as (

    select
        episodes.episode_id,
        true as plays_change
    from episodes
    where false

)
{%- endif %}

select * from recatalogued
