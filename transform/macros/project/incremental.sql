{#
  Incremental plumbing shared by the incremental facts.

  `incremental_strategy_for(key_kind)`: Snowflake merges on a unique key; DuckDB and the
  fakesnow emulator (whose MERGE statement fails) delete+insert. Facts keyed by
  listener (`key_kind='replace'`) always delete+insert: a late event can merge two sessions,
  so a listener's old rows must disappear, which MERGE cannot do.

  `is_snowflake_emulator()`: the smoke target runs dbt-snowflake against fakesnow.
#}
{% macro is_snowflake_emulator() -%}
    {{ return(target.type == 'snowflake' and target.name == 'snowflake_smoke') }}
{%- endmacro %}

{% macro incremental_strategy_for(key_kind='unique') -%}
    {%- if key_kind == 'unique' and target.type == 'snowflake' and not is_snowflake_emulator() -%}
        {{ return('merge') }}
    {%- else -%}
        {{ return('delete+insert') }}
    {%- endif -%}
{%- endmacro %}

{#- fakesnow cannot create temporary tables the way dbt-snowflake asks; transient it can. -#}
{% macro tmp_relation_type_for() -%}
    {{ return('transient' if is_snowflake_emulator() else none) }}
{%- endmacro %}

{#- Snowflake prunes micro-partitions on these; elsewhere clustering means nothing. -#}
{% macro cluster_by_for(columns) -%}
    {{ return(columns if target.type == 'snowflake' and not is_snowflake_emulator() else none) }}
{%- endmacro %}

{#
  Rows loaded since the last run, less a lookback window: the loader commits files out of
  order under concurrency, so a strict `>` on the high-water mark could skip a file.
  Re-reading the window is harmless because every fact replaces by key.
#}
{% macro loaded_since_high_water_mark(loaded_at_column='loaded_at') -%}
    {{ loaded_at_column }} > (
        -- an empty target (everything deleted, or a failed first run) reads everything
        select {{ timestamp_add('day', -1 * shared_setting('late_arrival_lookback_days'),
                                "coalesce(max(loaded_at), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))") }}
        from {{ this }}
    )
{%- endmacro %}
