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
  Quarantine: every record that breaks the contract, kept whole with the rule it broke, so
  a producer team can see what they sent and a fixed record can be re-driven.
  Incremental: a record's contract verdict never changes, so each run adds the quarantined
  records not in here yet.
#}
with records as (

    select * from {{ ref('stg_events__records') }}
    where record_status = 'quarantined'
    {%- if is_incremental() %}
        and {{ not_yet_staged('stg_events__records.record_id') }}
    {%- endif %}

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

)

select * from quarantined
