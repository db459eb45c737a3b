{{
    config(
        materialized='incremental',
        unique_key='record_id',
        incremental_strategy=incremental_strategy_for('unique'),
        tmp_relation_type=tmp_relation_type_for(),
        on_schema_change='fail',
    )
}}
{#
  Every raw record with its fate: `quarantined` (breaks the contract), `valid` (the first
  arrival of its event_id) or `duplicate` (a valid resend).
  Incremental: each run classifies only the records of files it has not classified yet
  (`not_yet_parsed`, never by `loaded_at` order), against the records already known with
  the same event_ids, so a resend arriving days later is still a duplicate. The rule is the
  full refresh's, exactly: among contract-valid records of an event_id the earliest
  (loaded_at, source_file, source_row) wins. A file committed late can carry an earlier
  `loaded_at` (Snowpipe stamps the scan's start, and scans overlap), so a new record can
  beat one that is already `valid`: every known contender of a new event_id is ranked
  again with the new ones and written back (delete+insert on record_id).
  Every row written carries the run's `classified_batch` (macros/project/incremental.sql),
  rewritten contenders included, so the models below find what changed without a scan.
#}
with parsed_records as (

    select * from {{ ref('stg_events__records_parsed') }}
    {%- if is_incremental() %}
    where {{ not_yet_parsed(ref('stg_events__records_parsed'), 'stg_events__records_parsed.source_file') }}
    {%- endif %}

),

{#- Everything but the record text: copying every JSON document would cost more than the
    rest of this model; the quarantine joins it back for the few it keeps. -#}
new_records as (

    select
        record_id,
        source_file,
        source_row,
        loaded_at,
        invalid_reason,
        event_id,
        event_type,
        event_ts,
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
        country
    from parsed_records

),

{% if is_incremental() -%}
{#- The already-classified contract-valid records of the event_ids that arrive again. -#}
known_contenders as (

    select
        known.record_id,
        known.source_file,
        known.source_row,
        known.loaded_at,
        known.invalid_reason,
        known.event_id,
        known.event_type,
        known.event_ts,
        known.user_id,
        known.podcast_id,
        known.episode_id,
        known.position_s,
        known.seek_from_s,
        known.episode_duration_s,
        known.client_session_id,
        known.client_app,
        known.client_app_version,
        known.client_platform,
        known.country
    from {{ this }} as known
    where known.invalid_reason is null
        and known.event_id in (
            select new_records.event_id
            from new_records
            where new_records.invalid_reason is null
        )

),

record_fields as (

    select * from new_records
    union all
    select * from known_contenders

),
{%- else -%}
record_fields as (

    select * from new_records

),
{%- endif %}

{#- Among valid records, the first to arrive per event_id wins (at-least-once delivery
    resends); invalid records never compete, they are all quarantined. -#}
ranked as (

    select
        *,
        case
            when invalid_reason is null then row_number() over (
                partition by case when invalid_reason is null then event_id end
                order by loaded_at, source_file, source_row
            )
        end as arrival_rank
    from record_fields

),

classified as (

    select
        *,
        case
            when invalid_reason is not null then 'quarantined'
            when arrival_rank = 1 then 'valid'
            else 'duplicate'
        end as record_status,
        -- which run wrote the row (`next_classified_batch`): the staging models below read
        -- only the batches they have not read yet
        {{ next_classified_batch() }} as classified_batch
    from ranked

)

select * from classified
