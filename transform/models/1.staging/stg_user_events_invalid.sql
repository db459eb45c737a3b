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
  Incremental: a record's contract verdict never changes and stg_events__records never
  rewrites a quarantined record, so each run adds the quarantined records of the batches
  it has not read yet (`not_yet_consumed`).
#}
with records as (

    select * from {{ ref('stg_events__records') }}
    where record_status = 'quarantined'
    {%- if is_incremental() %}
        and {{ not_yet_consumed('classified_batch') }}
    {%- endif %}

),

{#- The record text of the new quarantined records only. The range of their files is a
    filter the scan applies before it reads the record column; a join alone reads the
    text of every parsed record (the whole history) to probe it. -#}
parsed_records as (

    select * from {{ ref('stg_events__records_parsed') }}
    {%- if is_incremental() %}
    where source_file between (select min(records.source_file) from records)
        and (select max(records.source_file) from records)
    {%- endif %}

),

quarantined as (

    select
        records.record_id,
        parsed_records.record,
        records.invalid_reason,
        records.source_file,
        records.source_row,
        records.loaded_at,
        records.classified_batch
    from records
    inner join parsed_records on records.record_id = parsed_records.record_id

)

select * from quarantined
