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
  Incremental: the records stg_events__records wrote since this model last ran
  (`not_yet_consumed`). That run rewrote every contract-valid record of each event_id it
  ranked again, the first arrival included, so those rows alone give each of their
  event_ids' duplicates and the record they repeat: a new resend, and the resends of an
  event_id whose first arrival a record with an earlier `loaded_at` displaced (the old
  first arrival becomes one of them). A duplicate never becomes valid again, so nothing
  leaves; what comes is written again (delete+insert on record_id).
#}
with records as (

    select * from {{ ref('stg_events__records') }}
    {%- if is_incremental() %}
    where {{ not_yet_consumed('stg_events__records.classified_batch') }}
    {%- endif %}

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
        records.loaded_at,
        records.classified_batch
    from records
    inner join first_arrivals on records.event_id = first_arrivals.event_id
    where records.record_status = 'duplicate'

)

select * from duplicates
