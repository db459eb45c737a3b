{{ rebuilt_when_anything_changed_config() }}
-- One row per app build (app, version, platform) that sent events; an event with no client
-- information maps to the all-unknown row, so every event has a client. Read from staging,
-- not the sessionized view: a client needs no session, and sessionizing all history on
-- every run would cost what incremental runs save.
with user_events as (

    select * from {{ ref('stg_user_events') }}

),

clients_by_build as (

    -- the key is hashed once per build after grouping, not once per event (millions of
    -- md5 calls on every run that changed anything)
    select
        client_app,
        client_app_version,
        client_platform,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct user_id) as lifetime_listeners
    from user_events
    group by client_app, client_app_version, client_platform

),

clients as (

    select
        {{ generate_surrogate_key(['client_app', 'client_app_version', 'client_platform']) }} as client_id,
        client_app,
        client_app_version,
        client_platform,
        first_event_ts,
        last_event_ts,
        lifetime_listeners
    from clients_by_build

)

select * from clients
{{ when_anything_changed() }}
