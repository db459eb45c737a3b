-- A marker counts only for plays that heard the break without a gap from its start
-- (methodology, rule 12), so every count is at most the one before it: opportunities >=
-- start >= 25 % >= 50 % >= 75 % >= complete, per break and per show and day.
with breaks as (

    select * from {{ ref('fct_ad_break_reach') }}

),

show_days as (

    select * from {{ ref('fct_daily_podcast_ad_reach') }}

),

reach_counts as (

    select
        'break ' || episode_id || ' #' || cast(break_number as varchar) as what,
        plays,
        plays_reaching_start,
        plays_reaching_25,
        plays_reaching_50,
        plays_reaching_75,
        plays_completing_break
    from breaks
    union all
    select
        'day ' || cast(event_date as varchar) || ' ' || podcast_id || ' ' || kind as what,
        plays,
        plays_reaching_start,
        plays_reaching_25,
        plays_reaching_50,
        plays_reaching_75,
        plays_completing_break
    from show_days

),

out_of_order as (

    select *
    from reach_counts
    where not (
        plays >= plays_reaching_start
        and plays_reaching_start >= plays_reaching_25
        and plays_reaching_25 >= plays_reaching_50
        and plays_reaching_50 >= plays_reaching_75
        and plays_reaching_75 >= plays_completing_break
    )

)

select * from out_of_order
