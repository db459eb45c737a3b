-- The daily KPI marts must add up to the play fact: nothing lost or double counted.
with plays as (

    select count(*) as plays, sum(seconds_listened) / 60.0 as minutes
    from {{ ref('fct_episode_plays') }}

),

podcast_days as (

    select sum(plays) as plays, sum(minutes_listened) as minutes
    from {{ ref('fct_daily_podcast_kpis') }}

),

episode_days as (

    select sum(plays) as plays, sum(minutes_listened) as minutes
    from {{ ref('fct_daily_episode_kpis') }}

),

sessions as (

    select sum(plays) as plays from {{ ref('fct_listening_sessions') }}

),

mismatches as (

    select 'podcast_days' as mart, podcast_days.plays, podcast_days.minutes
    from plays cross join podcast_days
    where podcast_days.plays != plays.plays or abs(podcast_days.minutes - plays.minutes) > 1e-6
    union all
    select 'episode_days', episode_days.plays, episode_days.minutes
    from plays cross join episode_days
    where episode_days.plays != plays.plays or abs(episode_days.minutes - plays.minutes) > 1e-6
    union all
    select 'sessions', sessions.plays, null
    from plays cross join sessions
    where sessions.plays != plays.plays

)

select * from mismatches
