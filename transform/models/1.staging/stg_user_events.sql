-- One row per listening event: valid records only, the first arrival of each event_id.
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

)

select * from first_arrivals
