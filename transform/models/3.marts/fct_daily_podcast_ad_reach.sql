{{ touched_keys_config(['event_date', 'podcast_id'], 'int_episode_keys_touched') }}
-- depends_on: {{ ref('int_ad_break_plays_touched') }}
{#
  Ad-break reach per show, day and kind of break (pre, mid, post; methodology, rule 12):
  every (play, break) pair of the show's plays that started that UTC day, and how many heard
  the break's start, its quartile points and all of it. `plays` counts ad opportunities (a
  play of an episode with two mid-rolls counts twice under `mid`).
#}
with break_plays as (

    {{ rows_of_touched_keys(ref('int_ad_break_plays_touched') if is_incremental() else ref('int_ad_break_plays_measured'), {'event_date': 'fact_row.event_date', 'podcast_id': 'fact_row.podcast_id'}, 'int_episode_keys_touched') }}

),

reach as (

    select
        event_date,
        podcast_id,
        kind,
        {{ ad_reach_measures() }}
    from break_plays
    group by event_date, podcast_id, kind

)

select * from reach
