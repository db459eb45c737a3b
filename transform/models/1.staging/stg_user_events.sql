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
        event_id,
        event_type,
        event_ts,
        cast(event_ts as date) as event_date,
        user_id,
        podcast_id,
        episode_id,
        position_s,
        seek_from_s,
        episode_duration_s,
        client_session_id,
        client_app,
        client_app_version,
        client_platform,
        country,
        record_id,
        source_file,
        source_row,
        loaded_at
    from records
    where record_status = 'valid'
    {%- if is_incremental() %}
        and {{ not_yet_staged('records.source_file') }}
    {%- endif %}

)

select * from first_arrivals
