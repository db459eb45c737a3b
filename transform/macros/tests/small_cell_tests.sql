{#- A published count column holds the small-cell marker or a count of at least
    `min_cell_listeners`, never a smaller number and never null. -#}
{% test no_small_cells(model, column_name) %}
    {%- set minimum = shared_setting('min_cell_listeners') -%}
    select {{ column_name }}
    from {{ model }}
    where case
        when {{ column_name }} is null then true
        when {{ column_name }} = '<{{ minimum }}' then false
        else cast({{ column_name }} as bigint) < {{ minimum }}
    end
{% endtest %}
