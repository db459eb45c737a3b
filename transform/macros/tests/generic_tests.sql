{#- Generic data tests the dbt hub would have provided (dbt_utils cannot be fetched here). -#}

{#- No two rows share the same values in `columns`. -#}
{% test unique_combination_of_columns(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Every non-null value lies in [min_value, max_value] (either bound may be omitted). -#}
{% test within_range(model, column_name, min_value=none, max_value=none) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and (
        {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% else %} false{% endif %}
        or
        {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% else %} false{% endif %}
      )
{% endtest %}

{#- `column_name` is never later than `later_column` on the same row. -#}
{% test not_after(model, column_name, later_column) %}
    select {{ column_name }}, {{ later_column }}
    from {{ model }}
    where {{ column_name }} > {{ later_column }}
{% endtest %}
