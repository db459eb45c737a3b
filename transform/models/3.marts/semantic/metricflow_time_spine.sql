-- MetricFlow's time spine: one row per UTC day. Cumulative metrics (week- and month-to-date
-- listeners) join to it, and it fills days without plays. A fixed range, so the model is the
-- same on every run and engine; it covers any day the generator or a replay can produce.
-- Built from digits rather than a generator function, which DuckDB and Snowflake spell
-- differently.
with

digits as (

    select digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as d (digit)

),

day_numbers as (

    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as n
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

spine as (

    select
        cast(
            {{ timestamp_add('day', 'n', "cast('2020-01-01 00:00:00' as timestamp)") }} as date
        ) as date_day
    from day_numbers

)

select date_day
from spine
where date_day < cast('2041-01-01' as date)
