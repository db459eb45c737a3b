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

{#
  Whether `expression` is an http(s) URL the way the catalog contract's HTTP_URL
  (`https?://\S+`, podcast_analytics/contract/catalog.py) says: Python's `\S` excludes every
  Unicode whitespace character (`str.isspace()`), which neither engine's `\s` matches
  exactly, so the class is spelled out with chr() and needs no escapes in either dialect.
#}
{% macro is_http_url(expression) -%}
    {%- set whitespace = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288] -%}
    {%- set pattern -%}
        ('https?://[^' {%- for code in whitespace %} || chr({{ code }}){% endfor %} || ']+')
    {%- endset -%}
    {{ return(adapter.dispatch('is_http_url')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__is_http_url(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro default__is_http_url(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}
