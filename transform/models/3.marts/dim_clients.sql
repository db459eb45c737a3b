-- One row per app build (app, version, platform) that sent events; an event with no client
-- information maps to the all-unknown row, so every event has a client.
with events as (

    select * from {{ ref('int_user_events_sessionized') }}

),

clients as (

    select
        client_id,
        client_app,
        client_app_version,
        client_platform,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct user_id) as lifetime_listeners
    from events
    group by client_id, client_app, client_app_version, client_platform

)

select * from clients
