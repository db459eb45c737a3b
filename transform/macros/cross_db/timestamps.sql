{#
  RFC 3339 timestamp text -> UTC timestamp (without zone), or null when the text is not
  RFC 3339 with an offset or not a real instant. Same rule as
  podcast_analytics.contract.parse_event_ts: fractions are truncated to microseconds,
  `Z` means +00:00, month/day/hour/minute/second/offset must exist (no leap second 60,
  no 24:00, no February 30, no year 0).

  Built from parts rather than a dialect's lenient timestamp parser, so DuckDB and
  Snowflake agree with Python to the microsecond. try_cast keeps every piece null-safe
  because neither engine promises to short-circuit AND.
#}
{% macro rfc3339_pattern() -%}
    [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})
{%- endmacro %}

{% macro parse_rfc3339_utc(text) -%}
    {{ return(adapter.dispatch('parse_rfc3339_utc')(text)) }}
{%- endmacro %}

{% macro default__parse_rfc3339_utc(text) -%}
    {%- set int = dbt.type_bigint() -%}
    {%- set is_utc = "right(" ~ text ~ ", 1) = 'Z'" -%}
    {%- set offset_minutes -%}
        case when {{ is_utc }} then 0 else
            (case when substr({{ text }}, length({{ text }}) - 5, 1) = '-' then -1 else 1 end)
            * (try_cast(substr({{ text }}, length({{ text }}) - 4, 2) as {{ int }}) * 60
               + try_cast(right({{ text }}, 2) as {{ int }}))
        end
    {%- endset -%}
    {%- set fraction_us -%}
        coalesce(try_cast(rpad(left({{ regex_group(text, '[.]([0-9]{1,9})', 1) }}, 6), 6, '0') as {{ int }}), 0)
    {%- endset -%}
    {%- set wall_clock = "try_cast(substr(" ~ text ~ ", 1, 10) || ' ' || substr(" ~ text ~ ", 12, 8) as " ~ dbt.type_timestamp() ~ ")" -%}
    case
        when {{ regex_full_match(text, rfc3339_pattern()) }}
            and try_cast(substr({{ text }}, 1, 4) as {{ int }}) >= 1
            and try_cast(substr({{ text }}, 1, 10) as date) is not null
            and try_cast(substr({{ text }}, 12, 2) as {{ int }}) <= 23
            and try_cast(substr({{ text }}, 15, 2) as {{ int }}) <= 59
            and try_cast(substr({{ text }}, 18, 2) as {{ int }}) <= 59
            and ({{ is_utc }} or (
                try_cast(substr({{ text }}, length({{ text }}) - 4, 2) as {{ int }}) <= 23
                and try_cast(right({{ text }}, 2) as {{ int }}) <= 59
            ))
        then {{ timestamp_add('microsecond', fraction_us ~ ' - (' ~ offset_minutes ~ ') * 60000000', wall_clock) }}
    end
{%- endmacro %}
