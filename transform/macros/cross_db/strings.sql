{#- Whole-string regular-expression match (Snowflake's REGEXP_LIKE is anchored already). -#}
{% macro regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- Capture group `group` of the first match of `pattern`, or null. -#}
{% macro regex_group(expression, pattern, group) -%}
    {{ return(adapter.dispatch('regex_group')(expression, pattern, group)) }}
{%- endmacro %}

{% macro duckdb__regex_group(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{% macro default__regex_group(expression, pattern, group) -%}
    nullif(regexp_substr({{ expression }}, '{{ pattern }}', 1, 1, 'e', {{ group }}), '')
{%- endmacro %}
