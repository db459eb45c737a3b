-- Reconciliation: loaded = valid + quarantined + duplicates, record by record. Returns the
-- raw records that landed in none (or more than one) of the three staging outcomes, plus a
-- row when the totals differ. Any row fails the build.
with raw_records as (

    select source_file, source_row from {{ source('events', 'raw_events') }}

),

outcomes as (

    select source_file, source_row, 'valid' as outcome from {{ ref('stg_user_events') }}
    union all
    select source_file, source_row, 'quarantined' from {{ ref('stg_user_events_invalid') }}
    union all
    select source_file, source_row, 'duplicate' from {{ ref('stg_user_events_duplicates') }}

),

outcomes_per_record as (

    select
        raw_records.source_file,
        raw_records.source_row,
        count(outcomes.outcome) as outcomes
    from raw_records
    left join outcomes
        on raw_records.source_file = outcomes.source_file
        and raw_records.source_row = outcomes.source_row
    group by raw_records.source_file, raw_records.source_row

),

unaccounted as (

    select source_file, source_row, outcomes
    from outcomes_per_record
    where outcomes != 1

),

totals as (

    select
        (select count(*) from raw_records) as loaded,
        (select count(*) from outcomes) as accounted

),

totals_mismatch as (

    select cast(null as {{ dbt.type_string() }}) as source_file, null as source_row, accounted as outcomes
    from totals
    where loaded != accounted

),

failures as (

    select * from unaccounted
    union all
    select * from totals_mismatch

)

select * from failures
