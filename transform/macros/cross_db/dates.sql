{#- Date and time arithmetic that DuckDB and Snowflake spell differently. -#}

{#- `ts` moved by `amount` units (day, hour, minute, second, microsecond). -#}
{% macro timestamp_add(unit, amount, ts) -%}
    {{ return(adapter.dispatch('timestamp_add')(unit, amount, ts)) }}
{%- endmacro %}

{#- to_<unit>s() rather than `n * interval 1 <unit>`: the product overflows 32 bits for
    microsecond offsets of more than about 35 minutes. -#}
{% macro duckdb__timestamp_add(unit, amount, ts) -%}
    ({{ ts }} + to_{{ unit }}s(cast({{ amount }} as bigint)))
{%- endmacro %}

{% macro default__timestamp_add(unit, amount, ts) -%}
    dateadd({{ unit }}, {{ amount }}, {{ ts }})
{%- endmacro %}

{#- Seconds from `start_ts` to `end_ts`, with microseconds, as a double. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_ts, end_ts) -%}
    (epoch_us({{ end_ts }}) - epoch_us({{ start_ts }})) / 1000000.0
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    (datediff(microsecond, {{ start_ts }}, {{ end_ts }}) / 1000000.0)
{%- endmacro %}

{#- Monday of the ISO week containing `day` (a date). -#}
{% macro week_start(day) -%}
    {{ return(adapter.dispatch('week_start')(day)) }}
{%- endmacro %}

{% macro duckdb__week_start(day) -%}
    cast(date_trunc('week', {{ day }}) as date)
{%- endmacro %}

{#- Snowflake's WEEK_START session parameter could move date_trunc('week'); count from
    DAYOFWEEKISO instead so Monday is the start whatever the account says. -#}
{% macro default__week_start(day) -%}
    cast(dateadd(day, 1 - dayofweekiso({{ day }}), {{ day }}) as date)
{%- endmacro %}

{#- Whole weeks from week start `from_week` to week start `to_week`. -#}
{% macro weeks_between(from_week, to_week) -%}
    {{ return(adapter.dispatch('weeks_between')(from_week, to_week)) }}
{%- endmacro %}

{% macro duckdb__weeks_between(from_week, to_week) -%}
    cast(({{ to_week }} - {{ from_week }}) / 7 as integer)
{%- endmacro %}

{% macro default__weeks_between(from_week, to_week) -%}
    cast(datediff(day, {{ from_week }}, {{ to_week }}) / 7 as integer)
{%- endmacro %}
