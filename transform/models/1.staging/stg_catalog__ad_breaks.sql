{#
  One row per ad break of each episode's latest valid version (stg_catalog__episodes), in
  the episode's list order. The contract guarantees 0 <= start < end <= duration and a
  kind of pre/mid/post for every break of a valid record.
#}
with episodes as (

    select * from {{ ref('stg_catalog__episodes') }}

),

records as (

    select * from {{ ref('stg_catalog__records') }}

),

episode_records as (

    select episodes.episode_id, episodes.podcast_id, records.record
    from episodes
    inner join records on episodes.record_id = records.record_id

),

break_elements as (

    {{ json_array_elements('episode_records', 'record', 'ad_breaks', ['episode_id', 'podcast_id']) }}

),

ad_breaks as (

    select
        episode_id,
        podcast_id,
        cast(element_index as integer) + 1 as break_number,
        {{ as_seconds(json_number('element', 'start_s')) }} as break_start_s,
        {{ as_seconds(json_number('element', 'end_s')) }} as break_end_s,
        {{ json_text('element', 'kind') }} as kind
    from break_elements

)

select * from ad_breaks
