{#
  The body of the launch-curve marts (methodology, rule 11): per catalogued episode and
  whole `bucket_seconds` since `published_at` (`bucket_column`), the plays that started in
  it, their distinct listeners and the plays since release. Only buckets with plays have a
  row; `last_bucket` keeps buckets 0..last_bucket only (the first day by hour). On an
  incremental run only the touched episodes' plays are read (int_episode_keys_touched).
#}
{% macro launch_curve(bucket_column, bucket_seconds, last_bucket=none) -%}
with plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), {'episode_id': 'fact_row.episode_id'}, 'int_episode_keys_touched') }}

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
        cast(floor({{ seconds_between('episodes.published_at', 'plays.play_start_ts') }} / {{ bucket_seconds }}) as integer)
            as {{ bucket_column }}
    from plays
    inner join episodes on plays.episode_id = episodes.episode_id
    where episodes.published_at is not null
    {%- if last_bucket is not none %}
        and floor({{ seconds_between('episodes.published_at', 'plays.play_start_ts') }} / {{ bucket_seconds }})
            between 0 and {{ last_bucket }}
    {%- endif %}

),

bucketed as (

    select
        episode_id,
        podcast_id,
        published_at,
        {{ bucket_column }},
        count(*) as plays,
        count(distinct user_id) as unique_listeners
    from released_plays
    group by episode_id, podcast_id, published_at, {{ bucket_column }}

),

cumulative as (

    select
        *,
        cast(sum(plays) over (
            partition by episode_id order by {{ bucket_column }}
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_plays
    from bucketed

)

select * from cumulative
{%- endmacro %}
