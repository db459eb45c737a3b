{{ config(materialized='incremental', tmp_relation_type=tmp_relation_type_for(), on_schema_change='fail') }}
-- MetricFlow's time spine: one row per UTC day. Cumulative metrics (week- and month-to-date
-- listeners) join to it, and it fills days without plays. A fixed range, so the model is the
-- same on every run and engine: from the first day the contract accepts (the shared config's
-- earliest_event_ts; an event of that day is valid) to 2040.
-- Built from digits rather than a generator function, which DuckDB and Snowflake spell
-- differently. Its rows never change, so it is built once: an incremental run selects
-- nothing, and selects it from the built table (`where false`), not from the 100 000-row
-- digit cross join, which costs a noticeable part of a run that has nothing new.
{%- set first_day = "cast('" ~ shared_setting('earliest_event_ts')[:10] ~ " 00:00:00' as timestamp)" %}

{%- if is_incremental() %}

select date_day
from {{ this }}
where false
{%- else %}

with

digits as (

    select digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as d (digit)

),

day_numbers as (

    select
        ten_thousands.digit * 10000
        + thousands.digit * 1000
        + hundreds.digit * 100
        + tens.digit * 10
        + ones.digit as n
    from digits as ten_thousands
    cross join digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

spine as (

    select
        cast(
            {{ timestamp_add('day', 'n', first_day) }} as date
        ) as date_day
    from day_numbers

)

select date_day
from spine
where date_day < cast('2041-01-01' as date)
{%- endif %}
