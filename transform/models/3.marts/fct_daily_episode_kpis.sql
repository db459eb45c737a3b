{{ touched_keys_config(['event_date', 'episode_id']) }}
-- Daily KPIs per episode, from plays (a play is dated by the day it started, in UTC).
with plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), {'event_date': 'fact_row.event_date', 'episode_id': 'fact_row.episode_id'}) }}

),

daily as (

    select
        event_date,
        podcast_id,
        episode_id,
        {{ play_kpis() }}
    from plays
    group by event_date, podcast_id, episode_id

)

select * from daily
