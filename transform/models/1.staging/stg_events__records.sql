{#
  Every raw record with its fate: `quarantined` (breaks the contract), `valid` (the first
  arrival of its event_id) or `duplicate` (a valid resend). Rebuilt each run because a
  fate depends on all earlier arrivals; the expensive parsing is done incrementally upstream.
#}
with parsed_records as (

    select * from {{ ref('stg_events__records_parsed') }}

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
    from parsed_records

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
