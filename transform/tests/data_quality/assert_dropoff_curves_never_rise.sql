-- Nobody can reach 60 % of an episode without passing 50 %: each curve only falls.
with dropoff as (

    select * from {{ ref('fct_episode_dropoff') }}

),

with_previous as (

    select
        *,
        lag(listeners_reached) over (partition by episode_id order by pct_of_episode) as reached_before
    from dropoff

),

rising as (

    select * from with_previous where listeners_reached > reached_before

)

select * from rising
