-- Daily KPIs per episode, from plays (a play is dated by the day it started, in UTC).
with plays as (

    select * from {{ ref('fct_episode_plays') }}

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
