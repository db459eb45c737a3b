-- Quarantine: every record that breaks the contract, kept whole with the rule it broke, so
-- a producer team can see what they sent and a fixed record can be re-driven.
with records as (

    select * from {{ ref('stg_events__records') }}

),

quarantined as (

    select
        record_id,
        record,
        invalid_reason,
        source_file,
        source_row,
        loaded_at
    from records
    where record_status = 'quarantined'

)

select * from quarantined
