{#- A Jinja list as a SQL list of string literals: ('a', 'b'). -#}
{% macro sql_string_list(values) -%}
    ('{{ values | join("', '") }}')
{%- endmacro %}

{#- A field counts as present when its JSON kind is known and not null: the contract treats
    a JSON null like an absent field. `kind_column` is a json_kind() result. -#}
{% macro json_present(kind_column) -%}
    coalesce({{ kind_column }}, 'null') != 'null'
{%- endmacro %}
