{#
  One podcast and one duration per episode (methodology, rule 8), so apps that disagree
  cannot split a day's row: every mart takes an episode's podcast and length from here.
  The podcast is the smallest id any app reported (deterministic; a disagreement is a
  catalogue error in an app) and the duration the longest reported (a shorter one usually
  comes from a truncated download).
#}
with user_events as (

    select * from {{ ref('stg_user_events') }}

),

episodes as (

    select
        episode_id,
        min(podcast_id) as podcast_id,
        {{ as_seconds('max(episode_duration_s)') }} as episode_duration_s,
        count(distinct podcast_id) as reported_podcasts
    from user_events
    where episode_id is not null
    group by episode_id

)

select * from episodes
