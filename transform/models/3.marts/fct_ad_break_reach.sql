{#
  Client-confirmed ad-break reach per ad break (methodology, rule 12; IAB Podcast
  Measurement Technical Guidelines v2.1: client-confirmed ad play, with the ad start, 25 %,
  50 %, 75 % and complete markers): for each break of an episode's current catalog entry,
  the episode's plays and how many of them heard the break's start, each quartile point
  and the whole break, by their heard segments. All-time, every play of the episode.
#}
with break_plays as (

    select * from {{ ref('int_ad_break_plays_measured') }}

),

reach as (

    select
        episode_id,
        podcast_id,
        break_number,
        break_start_s,
        break_end_s,
        kind,
        {{ ad_reach_measures() }}
    from break_plays
    group by episode_id, podcast_id, break_number, break_start_s, break_end_s, kind

)

select * from reach
