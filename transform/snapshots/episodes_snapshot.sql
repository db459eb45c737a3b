{% snapshot episodes_snapshot %}
{{
    config(
        schema=var('shared_config')[target.name]['staging_schema'],
        unique_key='episode_id',
        strategy='check',
        check_cols=['podcast_id', 'title', 'duration_s', 'published_at', 'ad_breaks'],
    )
}}
{#
  The history of every episode's catalog entry: a new row whenever its podcast, title,
  duration, release time or ad breaks change (a re-cut episode, a new ad load), so what an
  episode looked like on a day stays answerable after the feed moved on. The check strategy,
  because the feed gives no reliable updated-at; `ad_breaks` is the breaks as one text
  ("start-end:kind", list order) so a moved break is a change.
#}
with episodes as (

    select * from {{ ref('stg_catalog__episodes') }}

),

ad_breaks as (

    select * from {{ ref('stg_catalog__ad_breaks') }}

),

break_lists as (

    select
        episode_id,
        {{ dbt.listagg(
            "cast(break_start_s as " ~ dbt.type_string() ~ ") || '-' || cast(break_end_s as " ~ dbt.type_string() ~ ") || ':' || kind",
            "','",
            "order by break_number",
        ) }} as ad_breaks
    from ad_breaks
    group by episode_id

),

versions as (

    select
        episodes.episode_id,
        episodes.podcast_id,
        episodes.title,
        episodes.published_at,
        episodes.duration_s,
        coalesce(break_lists.ad_breaks, '') as ad_breaks,
        episodes.fetched_at
    from episodes
    left join break_lists on episodes.episode_id = break_lists.episode_id

)

select * from versions
{% endsnapshot %}
