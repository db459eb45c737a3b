{#
  Every raw record with its fate: `quarantined` (breaks the contract), `valid` (the first
  arrival of its event_id) or `duplicate` (a valid resend). Rebuilt each run because a
  fate depends on all earlier arrivals; the expensive parsing is done incrementally upstream.
#}
with parsed_records as (

    select * from {{ ref('stg_events__records_parsed') }}

),

{#- Everything but the record text: copying every JSON document on every run would cost
    more than the rest of this model; the quarantine joins it back for the few it keeps. -#}
record_fields as (

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
        end as record_status
    from ranked

)

select * from classified
