{#
  The one door to the shared config rendered into dbt_project.yml by `make profiles`:
  `shared_setting('session_gap_minutes')`. A project var of the same name overrides it
  (`--vars '{session_gap_minutes: 45}'`), which is how tests try other values.
#}
{% macro shared_setting(name) -%}
    {%- set names = var('shared_config')[target.name] -%}
    {%- if name not in names -%}
        {{ exceptions.raise_compiler_error("shared_config has no '" ~ name ~ "' for target " ~ target.name ~ "; run `make profiles`") }}
    {%- endif -%}
    {{ return(var(name, names[name])) }}
{%- endmacro %}
