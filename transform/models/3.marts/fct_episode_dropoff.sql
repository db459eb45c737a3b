{#
  The drop-off curve: of everyone who played an episode, the share who listened at least as
  far as each 10 % mark. Only episodes with a known duration have a curve.
#}
with progress as (

    select * from {{ ref('int_listener_episodes_aggregated') }}

),

episodes as (

    select * from {{ ref('dim_episodes') }}

),

marks as (

    {%- for pct in range(0, 101, 10) %}
    select {{ pct }} as pct_of_episode{{ ' union all' if not loop.last }}
    {%- endfor %}

),

listener_progress as (

    select
        progress.episode_id,
        progress.user_id,
        progress.furthest_position_listened_s / episodes.episode_duration_s as share_listened
    from progress
    inner join episodes on progress.episode_id = episodes.episode_id
    where episodes.episode_duration_s > 0

),

reached as (

    select
        listener_progress.episode_id,
        marks.pct_of_episode,
        count(distinct listener_progress.user_id) as episode_listeners,
        count(distinct case
            when listener_progress.share_listened >= marks.pct_of_episode / 100.0
                then listener_progress.user_id
        end) as listeners_reached
    from listener_progress
    cross join marks
    group by listener_progress.episode_id, marks.pct_of_episode

),

dropoff as (

    select
        episode_id,
        pct_of_episode,
        episode_listeners,
        listeners_reached,
        listeners_reached * 1.0 / episode_listeners as share_of_listeners
    from reached

)

select * from dropoff
