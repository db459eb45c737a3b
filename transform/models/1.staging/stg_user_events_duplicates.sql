{{
    config(
        materialized='incremental',
        unique_key='record_id',
        incremental_strategy=incremental_strategy_for('unique'),
        tmp_relation_type=tmp_relation_type_for(),
        on_schema_change='fail',
    )
}}
{#
  Resends: valid records whose event_id arrived earlier. Kept (not silently dropped) so the
  reconciliation can account for every loaded record and delivery retries stay visible.
  Incremental: the duplicates not in here yet with the first arrival they repeat, and those
  already here whose first arrival changed (a record with an earlier `loaded_at` displaced
  it, stg_events__records); both are written again (delete+insert on record_id).
#}
with records as (

    select * from {{ ref('stg_events__records') }}

),

first_arrivals as (

    select event_id, record_id as first_record_id
    from records
    where record_status = 'valid'

),

duplicates as (

    select
        records.record_id,
        records.event_id,
        first_arrivals.first_record_id,
        records.source_file,
        records.source_row,
        records.loaded_at
    from records
    inner join first_arrivals on records.event_id = first_arrivals.event_id
    where records.record_status = 'duplicate'

),

changed as (

    select * from duplicates
    {%- if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as staged
        where staged.record_id = duplicates.record_id
            and staged.first_record_id = duplicates.first_record_id
    )
    {%- endif %}

)

select * from changed
