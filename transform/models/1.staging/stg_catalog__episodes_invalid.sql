-- The catalog quarantine: every raw catalog record that breaks the contract, whole, with
-- the first rule it breaks (podcast_analytics/contract/catalog.py's reason codes).
with records as (

    select * from {{ ref('stg_catalog__records') }}

),

quarantined as (

    select record_id, record, source_file, source_row, loaded_at, invalid_reason
    from records
    where record_status = 'quarantined'

)

select * from quarantined
