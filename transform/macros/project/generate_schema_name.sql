{#
  Each model folder maps to exactly one schema from the shared config, with no target-schema
  prefix: Pulumi grants on these schemas by name, so dbt must not invent new ones
  (dbt's default would build `staging_marts`). A `schema` config on a model still wins.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {%- set names = var('shared_config')[target.name] -%}
        {%- set folder = node.fqn[1] if node.fqn | length > 2 else none -%}
        {%- set by_folder = {
            '1.staging': names['staging_schema'],
            '2.intermediate': names['intermediate_schema'],
            '3.marts': names['marts_schema'],
        } -%}
        {{ by_folder.get(folder, target.schema) }}
    {%- endif -%}
{%- endmacro %}
