{{ rebuilt_when_anything_changed_config() }}
-- fct_daily_podcast_kpis as shows and advertisers receive it: listener counts under the
-- small-cell threshold read "<5".
with

kpis as (

    select * from {{ ref('fct_daily_podcast_kpis') }}

),

shared as (

    select
        event_date,
        podcast_id,
        plays,
        streams,
        {{ small_cell('unique_listeners') }} as unique_listeners,
        {{ small_cell('engaged_listeners') }} as engaged_listeners,
        minutes_listened,
        completed_plays,
        completion_rate,
        avg_consumption
    from kpis

)

select * from shared
{{ when_anything_changed() }}
