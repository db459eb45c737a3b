-- Quarantine: every record that breaks the contract, kept whole with the rule it broke, so
-- a producer team can see what they sent and a fixed record can be re-driven.
with records as (

    select * from {{ ref('stg_events__records') }}

),

parsed_records as (

    select * from {{ ref('stg_events__records_parsed') }}

),

quarantined as (

    select
        records.record_id,
        parsed_records.record,
        records.invalid_reason,
        records.source_file,
        records.source_row,
        records.loaded_at
    from records
    inner join parsed_records on records.record_id = parsed_records.record_id
    where records.record_status = 'quarantined'

)

select * from quarantined
