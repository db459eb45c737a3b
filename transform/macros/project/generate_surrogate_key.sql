{#
  A stable hash key from several columns (the same idea as dbt_utils', which cannot be fetched
  here). Nulls get a placeholder so (a, null) and (null, a) differ; the separator keeps
  ('ab', 'c') and ('a', 'bc') apart. md5 and || mean the same on DuckDB and Snowflake.
#}
{% macro generate_surrogate_key(field_list) -%}
    {%- set parts = [] -%}
    {%- for field in field_list -%}
        {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_dbt_null_')") -%}
    {%- endfor -%}
    md5({{ parts | join(" || '-' || ") }})
{%- endmacro %}
