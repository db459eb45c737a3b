{{ touched_keys_config(['episode_id'], 'int_episode_keys_touched') }}
{#
  The first day of the launch curve by hour (methodology, rule 11): per catalogued episode
  and whole hour since `published_at` (0-23), the plays that started in it, their distinct
  listeners and the plays since release. Only hours with plays have a row.
#}
with plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays') if is_incremental() else ref('fct_episode_plays'), {'episode_id': 'fact_row.episode_id'}, 'int_episode_keys_touched') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

released_plays as (

    select
        plays.episode_id,
        episodes.podcast_id,
        episodes.published_at,
        plays.user_id,
        cast(floor({{ seconds_between('episodes.published_at', 'plays.play_start_ts') }} / 3600) as integer)
            as hours_since_release
    from plays
    inner join episodes on plays.episode_id = episodes.episode_id
    where episodes.published_at is not null

),

first_day as (

    select * from released_plays
    where hours_since_release between 0 and 23

),

hourly as (

    select
        episode_id,
        podcast_id,
        published_at,
        hours_since_release,
        count(*) as plays,
        count(distinct user_id) as unique_listeners
    from first_day
    group by episode_id, podcast_id, published_at, hours_since_release

),

cumulative as (

    select
        *,
        cast(sum(plays) over (
            partition by episode_id order by hours_since_release
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_plays
    from hourly

)

select * from cumulative
