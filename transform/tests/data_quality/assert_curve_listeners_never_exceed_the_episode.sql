-- At every point of a listening curve, the listeners who heard it are some of the
-- episode's listeners; and the network's listeners in a week are never more than the
-- listeners of its shows together, nor fewer than those of its biggest show.
with curve as (

    select * from {{ ref('fct_episode_listening_curve') }}

),

podcast_weeks as (

    select * from {{ ref('fct_weekly_podcast_listeners') }}

),

network_weeks as (

    select * from {{ ref('fct_weekly_network_listeners') }}

),

podcast_week_bounds as (

    select
        week_start,
        sum(unique_listeners) as summed_listeners,
        max(unique_listeners) as biggest_show_listeners
    from podcast_weeks
    group by week_start

),

impossible as (

    select episode_id as what, pct_of_episode as point, listeners as listeners
    from curve
    where listeners > episode_listeners
    union all
    select 'network week', null, network_weeks.unique_listeners
    from network_weeks
    inner join podcast_week_bounds on network_weeks.week_start = podcast_week_bounds.week_start
    where
        network_weeks.unique_listeners > podcast_week_bounds.summed_listeners
        or network_weeks.unique_listeners < podcast_week_bounds.biggest_show_listeners

)

select * from impossible
