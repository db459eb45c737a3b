{{ touched_keys_config(['episode_id'], 'int_episode_keys_touched') }}
-- depends_on: {{ ref('int_ad_break_plays_touched') }}
-- Built after the other ad marts: int_episode_keys_touched compares the catalog's breaks
-- with this table, so a run that dies earlier finds the same changes again.
-- depends_on: {{ ref('fct_daily_podcast_ad_reach') }}
-- depends_on: {{ ref('shared_daily_podcast_ad_reach') }}
{#
  Client-confirmed ad-break reach per ad break (methodology, rule 12; IAB Podcast
  Measurement Technical Guidelines v2.1: client-confirmed ad play, with the ad start, 25 %,
  50 %, 75 % and complete markers): for each break of an episode's current catalog entry,
  the episode's plays and how many of them heard the break's start, each quartile point
  and the whole break, by their heard segments. All-time, every play of the episode.
#}
with break_plays as (

    {{ rows_of_touched_keys(ref('int_ad_break_plays_touched') if is_incremental() else ref('int_ad_break_plays_measured'), {'episode_id': 'fact_row.episode_id'}, 'int_episode_keys_touched') }}

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
