-- Daily KPIs per podcast, from plays (a play is dated by the day it started, in UTC).
with plays as (

    select * from {{ ref('fct_episode_plays') }}

),

daily as (

    select
        event_date,
        podcast_id,
        count(*) as plays,
        count(distinct user_id) as unique_listeners,
        sum(seconds_listened) / 60.0 as minutes_listened,
        sum(case when is_completed then 1 else 0 end) as completed_plays,
        avg(case when is_completed then 1.0 else 0.0 end) as completion_rate,
        avg(consumption_ratio) as avg_consumption
    from plays
    group by event_date, podcast_id

)

select * from daily
