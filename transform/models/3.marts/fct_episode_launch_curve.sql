{{ touched_keys_config(['episode_id'], 'int_episode_keys_touched') }}
{#
  The launch curve (methodology, rule 11): per catalogued episode and whole day since its
  release (`published_at`, the feed's pubDate), the plays that started that day, their
  distinct listeners, and the plays since release. Day 0 is the first 24 hours after
  `published_at`, not the calendar day; a play before the release time (an early-access
  app, a wrong pubDate) falls on a negative day rather than being dropped. Only days with
  plays have a row.
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
        cast(floor({{ seconds_between('episodes.published_at', 'plays.play_start_ts') }} / 86400) as integer)
            as days_since_release
    from plays
    inner join episodes on plays.episode_id = episodes.episode_id
    where episodes.published_at is not null

),

daily as (

    select
        episode_id,
        podcast_id,
        published_at,
        days_since_release,
        count(*) as plays,
        count(distinct user_id) as unique_listeners
    from released_plays
    group by episode_id, podcast_id, published_at, days_since_release

),

cumulative as (

    select
        *,
        cast(sum(plays) over (
            partition by episode_id order by days_since_release
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_plays
    from daily

)

select * from cumulative
