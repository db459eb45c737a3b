{{ rebuilt_when_anything_changed_config() }}
-- fct_daily_podcast_ad_reach as shows and advertisers receive it: listener counts under the
-- small-cell threshold read "<5".
with

reach as (

    select * from {{ ref('fct_daily_podcast_ad_reach') }}

),

shared as (

    select
        event_date,
        podcast_id,
        kind,
        plays,
        {{ small_cell('unique_listeners') }} as unique_listeners,
        plays_reaching_start,
        plays_reaching_25,
        plays_reaching_50,
        plays_reaching_75,
        plays_completing_break,
        start_rate,
        completion_rate
    from reach

)

select * from shared
{{ when_anything_changed() }}
