{#
  One row per episode: its latest valid version (the highest `fetched_at`; duplicates of
  a version are already set aside). The catalog's podcast, title, release time and
  duration of an episode come from here; its ad breaks from stg_catalog__ad_breaks, and
  earlier versions from the `episodes_snapshot` snapshot.
#}
with records as (

    select * from {{ ref('stg_catalog__records') }}

),

valid_versions as (

    select * from records
    where record_status = 'valid'

),

latest_versions as (

    select
        record_id,
        episode_id,
        podcast_id,
        title,
        published_at,
        duration_s,
        feed_url,
        fetched_at,
        source_file,
        loaded_at,
        count(*) over (partition by episode_id) as valid_versions
    from valid_versions
    qualify row_number() over (
        partition by episode_id order by fetched_at desc, loaded_at desc, source_file desc, source_row desc
    ) = 1

)

select * from latest_versions
