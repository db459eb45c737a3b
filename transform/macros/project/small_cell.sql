{#
  The small-cell rule for numbers that leave the network (exports for shows and
  advertisers, the report): a count of fewer than `min_cell_listeners` listeners (shared
  config, default 5) is not published; it reads "<5" instead. The column becomes text so
  the marker and the numbers share one column, as a reader sees them.
#}
{% macro small_cell(column) -%}
    {%- set minimum = shared_setting('min_cell_listeners') -%}
    case
        when {{ column }} < {{ minimum }} then '<{{ minimum }}'
        else cast({{ column }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
