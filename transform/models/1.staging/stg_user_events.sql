{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=incremental_strategy_for('unique'),
        tmp_relation_type=tmp_relation_type_for(),
        on_schema_change='fail',
    )
}}
{#
  One row per listening event: valid records only, the first arrival of each event_id.
  Incremental: the valid records of files not in here yet (`not_yet_staged`: a record is
  valid from the run that classifies its file or never, so the valid records of staged
  files are all here); when a record that arrived earlier has displaced the valid one
  (stg_events__records), it comes from such a new file and the event_id's row is replaced
  (delete+insert on event_id). Files, not records: comparing every valid record with
  every staged one costs the whole history on each run.
#}
with records as (

    select * from {{ ref('stg_events__records') }}

),

first_arrivals as (

    select
        records.event_id,
        records.event_type,
        records.event_ts,
        cast(records.event_ts as date) as event_date,
        records.user_id,
        records.podcast_id,
        records.episode_id,
        records.position_s,
        records.seek_from_s,
        records.episode_duration_s,
        records.client_session_id,
        records.client_app,
        records.client_app_version,
        records.client_platform,
        records.country,
        records.record_id,
        records.source_file,
        records.source_row,
        records.loaded_at
    from records
    where records.record_status = 'valid'
    {%- if is_incremental() %}
        and {{ not_yet_staged(ref('stg_events__records'), 'records.source_file') }}
    {%- endif %}

)

select * from first_arrivals
