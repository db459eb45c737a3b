{{ config(materialized='view') }}
{#
  Events that reached the warehouse later than `late_arrival_lookback_days` (shared config)
  after they happened: offline listening synced late, a device clock far behind. They are
  modelled like any other event (incremental runs rebuild exactly the sessions they touch,
  however old: methodology, "Incremental runs"), never silently: listed here and counted in
  the reconciliation, so a producer team sees arrivals beyond what the pipeline expects.
  A view: nothing is computed for it during a run.
#}
with user_events as (

    select * from {{ ref('stg_user_events') }}

),

late as (

    select
        event_id,
        event_type,
        event_ts,
        user_id,
        podcast_id,
        episode_id,
        record_id,
        source_file,
        source_row,
        loaded_at
    from user_events
    where event_ts < {{ timestamp_add('day', -shared_setting('late_arrival_lookback_days'), 'loaded_at') }}

)

select * from late
