{#
  JSON access. The raw `record` is JSON text in DuckDB and a VARIANT in Snowflake; these
  macros hide that so staging reads as one SQL. `path` is a dotted path such as
  'client.platform' (field names in the contract are plain identifiers).
#}

{#- The field as text: strings unquoted, other values in their JSON spelling. -#}
{% macro json_text(record, path) -%}
    {{ return(adapter.dispatch('json_text')(record, path)) }}
{%- endmacro %}

{% macro duckdb__json_text(record, path) -%}
    json_extract_string({{ record }}, '$.{{ path }}')
{%- endmacro %}

{% macro default__json_text(record, path) -%}
    get_path({{ record }}, '{{ path }}')::varchar
{%- endmacro %}

{#- The field as a double; only meaningful when json_kind(...) = 'number'. -#}
{% macro json_number(record, path) -%}
    {{ return(adapter.dispatch('json_number')(record, path)) }}
{%- endmacro %}

{% macro duckdb__json_number(record, path) -%}
    try_cast(json_extract_string({{ record }}, '$.{{ path }}') as double)
{%- endmacro %}

{% macro default__json_number(record, path) -%}
    try_to_double(get_path({{ record }}, '{{ path }}')::varchar)
{%- endmacro %}

{#- Whether a json_number() is a finite double. A JSON number beyond the double range
    (1e400) reads as infinity in DuckDB and as null (try_to_double) in Snowflake: both are
    not finite, so the contract rejects them the same way Python does. -#}
{#- Also at most 1e9 seconds (MAX_SECONDS in podcast_analytics/contract/validate.py): a
    finite but absurd value such as 1e308 would overflow the marts' DECIMAL(18, 3) seconds. -#}
{% macro is_finite(number) -%}
    ({{ adapter.dispatch('is_finite')(number) }} and coalesce({{ number }} <= 1000000000, false))
{%- endmacro %}

{% macro duckdb__is_finite(number) -%}
    coalesce(isfinite({{ number }}), false)
{%- endmacro %}

{% macro default__is_finite(number) -%}
    coalesce({{ number }} not in ('inf'::float, '-inf'::float, 'nan'::float), false)
{%- endmacro %}

{#
  The JSON kind of a field, in the contract's words: 'string', 'number', 'boolean',
  'object', 'array', 'null', or SQL null when the field is absent. The contract treats
  'null' like absent; type rules compare against these names.
#}
{% macro json_kind(record, path) -%}
    {{ return(adapter.dispatch('json_kind')(record, path)) }}
{%- endmacro %}

{% macro duckdb__json_kind(record, path) -%}
    case json_type({{ record }}, '$.{{ path }}')
        when 'VARCHAR' then 'string'
        when 'BIGINT' then 'number'
        when 'UBIGINT' then 'number'
        when 'HUGEINT' then 'number'
        when 'DOUBLE' then 'number'
        when 'BOOLEAN' then 'boolean'
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
        when 'NULL' then 'null'
    end
{%- endmacro %}

{#- Snowflake: the first character of the value's JSON text names its kind. TYPEOF would
    do on Snowflake itself, but the fakesnow emulator (our only place to run Snowflake SQL
    before Snowflake) answers 'JSON' for every value; TO_JSON behaves the same in both. -#}
{% macro default__json_kind(record, path) -%}
    case
        when to_json(get_path({{ record }}, '{{ path }}')) is null then null
        else case left(to_json(get_path({{ record }}, '{{ path }}')), 1)
            when '"' then 'string'
            when '{' then 'object'
            when '[' then 'array'
            when 't' then 'boolean'
            when 'f' then 'boolean'
            when 'n' then 'null'
            else 'number'
        end
    end
{%- endmacro %}

{#- The JSON kind of a whole value (a record, or an element of an array), in json_kind's
    words: the catalog contract's `not_an_object` and `bad_type:ad_breaks` judge values,
    not fields. -#}
{% macro json_value_kind(value) -%}
    {{ return(adapter.dispatch('json_value_kind')(value)) }}
{%- endmacro %}

{% macro duckdb__json_value_kind(value) -%}
    case json_type({{ value }})
        when 'VARCHAR' then 'string'
        when 'BIGINT' then 'number'
        when 'UBIGINT' then 'number'
        when 'HUGEINT' then 'number'
        when 'DOUBLE' then 'number'
        when 'BOOLEAN' then 'boolean'
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
        when 'NULL' then 'null'
    end
{%- endmacro %}

{% macro default__json_value_kind(value) -%}
    case
        when to_json({{ value }}) is null then null
        else case left(to_json({{ value }}), 1)
            when '"' then 'string'
            when '{' then 'object'
            when '[' then 'array'
            when 't' then 'boolean'
            when 'f' then 'boolean'
            when 'n' then 'null'
            else 'number'
        end
    end
{%- endmacro %}

{#
  A query with one row per element of the JSON array at `path` of `record` in `relation`:
  the `key_columns`, `element_index` (0-based, the list order the contract's rules follow)
  and `element` (JSON, readable with the macros above). Rows whose field is not an array
  give no rows.
#}
{% macro json_array_elements(relation, record, path, key_columns) -%}
    {{ return(adapter.dispatch('json_array_elements')(relation, record, path, key_columns)) }}
{%- endmacro %}

{% macro duckdb__json_array_elements(relation, record, path, key_columns) -%}
    select
        {{ key_columns | join(', ') }},
        element_index,
        json_extract({{ record }}, '$.{{ path }}[' || element_index || ']') as element
    from (
        select
            {{ key_columns | join(', ') }},
            {{ record }},
            unnest(range(cast(json_array_length({{ record }}, '$.{{ path }}') as bigint))) as element_index
        from {{ relation }}
        where json_type({{ record }}, '$.{{ path }}') = 'ARRAY'
    ) as indexed
{%- endmacro %}

{#- Snowflake: flatten the array's index range rather than the array, and read each
    element by its index. FLATTEN's own INDEX column would do on Snowflake, but the fakesnow
    emulator numbers it across all input rows (row_number() over ()), so elements of
    different records would swap places in the contract's list order; the index range's
    VALUE is right in both. -#}
{% macro default__json_array_elements(relation, record, path, key_columns) -%}
    select
        {%- for column in key_columns %}
        source_rows.{{ column }},
        {%- endfor %}
        cast(indexes.value as integer) as element_index,
        get(get_path(source_rows.{{ record }}, '{{ path }}'), cast(indexes.value as integer)) as element
    from {{ relation }} as source_rows,
        lateral flatten(
            input => array_generate_range(0, cast(array_size(get_path(source_rows.{{ record }}, '{{ path }}')) as integer))
        ) as indexes
    where is_array(get_path(source_rows.{{ record }}, '{{ path }}'))
{%- endmacro %}
