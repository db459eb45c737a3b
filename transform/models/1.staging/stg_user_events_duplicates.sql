-- Resends: valid records whose event_id arrived earlier. Kept (not silently dropped) so the
-- reconciliation can account for every loaded record and delivery retries stay visible.
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

)

select * from duplicates
