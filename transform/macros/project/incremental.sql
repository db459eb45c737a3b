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
  Incremental selection by what has been processed, never by `loaded_at` order: a backfill
  or a replay loads rows whose `loaded_at` is below any high-water mark, and the loader may
  commit files out of order. Each macro compares the new input with the target's own
  contents, so a run that died half-way is caught up by the next one.

  `not_yet_parsed(source_file)`: a raw row is new when no row of its file is in {{ this }}.
  Files commit atomically (Snowpipe and the local loader), so file granularity is exact.
#}
{% macro not_yet_parsed(source_file_column='source_file') -%}
    not exists (
        select 1 from {{ this }} as parsed
        where parsed.source_file = {{ source_file_column }}
    )
{%- endmacro %}

{#
  `listeners_with_unmodelled_events()`: the listeners with a staged event whose event_id is
  not yet in fct_listening_events, or is there from another record (an earlier-loaded
  resend displaced it in staging: the loaded_at differs). The listener-keyed facts (plays, sessions) are built
  before fct_listening_events (its `depends_on`), so here it still holds its state before
  this run; it is looked up as a relation, not a ref, which would be a cycle. A crash after
  plays or sessions were replaced but before the events fact is harmless: the next run
  finds the same events still unmodelled and replaces the same listeners again.
#}
{% macro listeners_with_unmodelled_events() -%}
    {%- set events_fact = adapter.get_relation(this.database, this.schema, 'fct_listening_events') -%}
    select distinct staged.user_id
    from {{ ref('stg_user_events') }} as staged
    {%- if events_fact is not none %}
    where not exists (
        select 1 from {{ events_fact }} as modelled
        where modelled.event_id = staged.event_id
            and modelled.loaded_at = staged.loaded_at
    )
    {%- endif %}
{%- endmacro %}

{#
  `not_yet_staged(record_id)`: a classified record is new to a staging model when {{ this }}
  has no row of that record_id. A record's status can change only when a new record of its
  event_id arrives with an earlier `loaded_at` (stg_events__records), and then the new
  record is the one not yet staged.
#}
{% macro not_yet_staged(record_id_column='record_id') -%}
    not exists (
        select 1 from {{ this }} as staged
        where staged.record_id = {{ record_id_column }}
    )
{%- endmacro %}
