{{ touched_keys_config(['event_date', 'podcast_id']) }}
-- Daily KPIs per podcast, from plays (a play is dated by the day it started, in UTC).
with plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), {'event_date': 'fact_row.event_date', 'podcast_id': 'fact_row.podcast_id'}) }}

),

daily as (

    select
        event_date,
        podcast_id,
        {{ play_kpis() }}
    from plays
    group by event_date, podcast_id

)

select * from daily
