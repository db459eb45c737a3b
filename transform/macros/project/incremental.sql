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

  `not_yet_parsed(relation, source_file)`: a row of `relation` (raw_events, or the parsed
  records for stg_events__records) is new when no row of its file is in {{ this }}. Files
  commit atomically (Snowpipe and the local loader), so file granularity is exact.
  `files_not_in_this` does the comparison.
#}
{% macro not_yet_parsed(relation, source_file_column='source_file') -%}
    {{ files_not_in_this(relation, source_file_column) }}
{%- endmacro %}

{#
  `files_not_in_this(relation, source_file_column, condition)`: the rows of `relation` whose
  file has no row in {{ this }}, among the rows that meet `condition` (SQL over the alias
  `unread`). Two tests, both needed for speed, on a few thousand files rather than millions
  of rows:
    - the range (first, last) of the new files' names, found on the file column alone:
      a scan applies it before it reads the other columns (DuckDB's filter pushdown,
      Snowflake's pruning by micro-partition), so the new day's rows are all it reads when
      file names grow with time, as the loaders write them; otherwise it only reads more.
      Without it, the scan reads every column of the history (the raw JSON too) and only
      then drops the rows the exact test rejects. No new file: both ends are null, no row.
    - the exact test: the file is not among the distinct files of {{ this }} (a semi-join
      with every row of {{ this }} would build a hash table of the whole history).
  Both compare distinct files, never rows, on either side.
#}
{% macro files_not_in_this(relation, source_file_column='source_file', condition='true') -%}
    {#- distinct first: the anti-join then probes thousands of files, not millions of rows -#}
    {%- set unread_files -%}
        select input_file.source_file
        from (
            select distinct unread.source_file from {{ relation }} as unread where {{ condition }}
        ) as input_file
        where {{ not_in_files_of(this, 'input_file.source_file') }}
    {%- endset -%}
    {{ source_file_column }} between
        (select min(first_file.source_file) from ({{ unread_files }}) as first_file)
        and (select max(last_file.source_file) from ({{ unread_files }}) as last_file)
    and {{ not_in_files_of(this, source_file_column) }}
{%- endmacro %}

{#- `not_in_files_of(relation, source_file_column)`: the file is not among the distinct
    files of `relation` (the exact test of files_not_in_this and not_yet_modelled). -#}
{% macro not_in_files_of(relation, source_file_column) -%}
    not exists (
        select 1 from (select distinct source_file from {{ relation }}) as done
        where done.source_file = {{ source_file_column }}
    )
{%- endmacro %}

{#
  Sessions as the unit of recomputation (after Snowplow's sessions lifecycle manifest): an
  incremental run rebuilds only the sessions its new events touch.

  `mart_relation(name)`: a mart's relation as it stands before this run, looked up rather
  than ref'd (the facts ref the affected-events models, so a ref back would be a cycle).
  fct_listening_events is built last of the facts: it is the record of what has been
  modelled, and fct_listening_sessions is the session manifest (listener, start, end).

  `incremental_scope_available()`: both exist and this is not a full refresh; otherwise
  the facts build from everything and the affected-events models stay empty.

  `not_yet_modelled(staged)`: a staged event from a raw file none of whose events is in
  fct_listening_events yet. File granularity is exact here, as in `not_yet_parsed`: staging
  classifies a file's records once and all together, a record can only lose its valid slot
  (to a record of a file that arrives later, which is then the one not yet modelled), and
  fct_listening_events takes every staged event of a run in one statement. Comparing with
  the few thousand distinct files, not the millions of (event_id, loaded_at) pairs, is what
  keeps the lookup's cost off the history (0.48 s vs 0.06 s at 90 days, 2.5 M events).
  A run that dies before fct_listening_events is built leaves its files unmodelled, so the
  next run rebuilds the same sessions again.
#}
{% macro mart_relation(name) -%}
    {{ return(adapter.get_relation(this.database, shared_setting('marts_schema'), name)) }}
{%- endmacro %}

{% macro incremental_scope_available() -%}
    {{ return(
        not flags.FULL_REFRESH
        and mart_relation('fct_listening_events') is not none
        and mart_relation('fct_listening_sessions') is not none
    ) }}
{%- endmacro %}

{% macro not_yet_modelled(staged) -%}
    {{ not_in_files_of(mart_relation('fct_listening_events'), staged ~ '.source_file') }}
{%- endmacro %}

{#
  `delete_rebuilt_sessions(timestamp_column)`: the pre-hook of the session-keyed facts. It
  deletes the listener's rows whose `timestamp_column` (a session's or play's start) falls
  inside a session this run rebuilds (int_sessions_rebuilt); the model then appends the
  rebuilt rows. Every old session a new event joined or merged lies inside the rebuilt
  session that absorbed it, and an untouched session never overlaps a rebuilt one, so this
  removes exactly the rows that are replaced, and repeating it after a crash is harmless.
#}
{% macro delete_rebuilt_sessions(timestamp_column) -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where exists (
        select 1 from {{ ref('int_sessions_rebuilt') }} as rebuilt
        where rebuilt.user_id = {{ this.identifier }}.user_id
            and {{ this.identifier }}.{{ timestamp_column }}
                between rebuilt.session_start_ts and rebuilt.session_end_ts
    )
    {%- endif %}
{%- endmacro %}

{#
  The staging models downstream of stg_events__records read only what it wrote since they
  last ran, never all of it (an anti-join of millions of records with millions of staged
  rows costs the history, not the day).

  `classified_batch`: an audit column of stg_events__records: the number of the run that
  wrote the row, one more than the highest in the table before the run (1 on a first
  build; a full refresh continues the count, so a downstream model that is not refreshed
  with it reads everything again rather than nothing). A count of runs, not a clock, so it
  is exact whatever the machines' clocks or the order files commit in. Every run rewrites
  all contract-valid records of each event_id it ranks again, so the contract-valid
  records of an event_id always share one batch: the last run that brought one of them.

  `next_classified_batch()`: that number, for stg_events__records.

  `not_yet_consumed(batch_column)`: a record of stg_events__records is new to a staging
  model that keeps `classified_batch` when its batch is above the highest in {{ this }}.
  A run reads every batch above it, so the batches at or below it were all read; one
  whose rows it keeps none of is read again next time (harmless: the same rows again),
  until a batch gives it a row. It is the one column where an incremental build differs
  from a full refresh (tests/transform/test_incremental.py leaves it out of the
  comparison).

  `not_yet_staged(relation, source_file)`: for stg_user_events, which carries no batch (every
  intermediate model reads it whole with `select *`): a valid record is new when no row of
  its file is in {{ this }}. A record becomes valid only in the run that classifies its file
  (a later record can displace a valid one, never promote a duplicate), so the valid
  records of already-staged files are staged. A file with no valid record is compared
  again every run, and yields nothing. `files_not_in_this` compares, on the valid records.
#}
{% macro next_classified_batch() -%}
    {#- looked up only when running: parsing (the manifest MWAA ships) has no warehouse -#}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none -%}
    {%- set columns = adapter.get_columns_in_relation(existing) if existing is not none else [] -%}
    {%- if 'classified_batch' in columns | map(attribute='name') | map('lower') | list -%}
        (select coalesce(max(classified_batch), 0) + 1 from {{ existing }})
    {%- else -%}
        1
    {%- endif -%}
{%- endmacro %}

{% macro not_yet_consumed(batch_column='classified_batch') -%}
    {{ batch_column }} > (select coalesce(max(consumed.classified_batch), 0) from {{ this }} as consumed)
{%- endmacro %}

{% macro not_yet_staged(relation, source_file_column='source_file') -%}
    {{ files_not_in_this(relation, source_file_column, "unread.record_status = 'valid'") }}
{%- endmacro %}

{#- `affected_only()`: this incremental run rebuilds only the affected sessions; the facts
    read the *_affected intermediate models then, the full ones otherwise. -#}
{% macro affected_only() -%}
    {{ return(is_incremental() and incremental_scope_available()) }}
{%- endmacro %}

{#
  The aggregate marts update only the keys this run touches (int_play_keys_touched), each
  recomputed from the fact rows of that key, so distinct-listener counts stay exact.

  `delete_touched_keys(columns)`: the pre-hook: deletes the mart's rows whose `columns`
  (names the mart and int_play_keys_touched share) are a touched key; the model appends the
  recomputed ones. A key that no longer has plays is deleted and not re-added, as a full
  refresh would leave it out.

  `rows_of_touched_keys(relation, key_expressions)`: on incremental runs, the rows of
  `relation` (a fact) whose key is touched: `key_expressions` maps each key column of
  int_play_keys_touched to its expression over the fact row (alias `fact_row`); otherwise
  all of `relation`.

  `keys_model` names another model of keys: int_user_events_affected for the listener-keyed
  dim_listeners (its changed events include downloads and follows, which have no play).
#}
{% macro delete_touched_keys(columns, keys_model='int_play_keys_touched') -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where exists (
        select 1 from {{ ref(keys_model) }} as touched
        where
        {%- for column in columns %}
            touched.{{ column }} = {{ this.identifier }}.{{ column }}{{ ' and' if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{% macro rows_of_touched_keys(relation, key_expressions, keys_model='int_play_keys_touched') -%}
    {#- ref'd whatever the branch, so dbt sees the dependency when it parses the model -#}
    {%- set touched_keys = ref(keys_model) -%}
    {%- if is_incremental() %}
    select fact_row.*
    from {{ relation }} as fact_row
    where exists (
        select 1 from {{ touched_keys }} as touched
        where
        {%- for column, expression in key_expressions.items() %}
            touched.{{ column }} = {{ expression }}{{ ' and' if not loop.last }}
        {%- endfor %}
    )
    {%- else %}
    select * from {{ relation }}
    {%- endif %}
{%- endmacro %}

{#- The config every key-incremental mart shares: append after deleting its touched keys. -#}
{% macro touched_keys_config(columns, keys_model='int_play_keys_touched') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        tmp_relation_type=tmp_relation_type_for(),
        pre_hook="{{ delete_touched_keys(" ~ columns ~ ", '" ~ keys_model ~ "') }}",
        on_schema_change='fail',
    ) }}
{%- endmacro %}

{#
  The marts whose rows cannot be keyed to a session cheaply (per-podcast totals over all
  time, running follower counts, cohorts, the dims, the shared_* copies) are rebuilt whole,
  but only by a run that changed something: `rebuilt_when_anything_changed_config()` deletes
  the rows and `when_anything_changed()` (a where clause on the model's last select) adds
  them again when int_user_events_affected or int_episode_keys_touched (which holds the
  catalog's changes too) has rows; a run with nothing new touches none.
  They are built before fct_listening_events, so a crash in between repeats them.
#}
{% macro rebuilt_when_anything_changed_config() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        tmp_relation_type=tmp_relation_type_for(),
        pre_hook="{{ delete_all_when_anything_changed() }}",
        on_schema_change='fail',
    ) }}
{%- endmacro %}

{% macro delete_all_when_anything_changed() -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where exists (select 1 from {{ ref('int_user_events_affected') }})
        or exists (select 1 from {{ ref('int_episode_keys_touched') }})
    {%- endif %}
{%- endmacro %}

{% macro when_anything_changed() -%}
    {%- set affected = ref('int_user_events_affected') -%}
    {%- set episode_keys = ref('int_episode_keys_touched') -%}
    {%- if is_incremental() %}
    where exists (select 1 from {{ affected }})
        or exists (select 1 from {{ episode_keys }})
    {%- endif %}
{%- endmacro %}
