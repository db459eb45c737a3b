{{ rebuilt_when_anything_changed_config() }}
-- fct_weekly_podcast_listeners as shows and advertisers receive it: listener counts
-- under the small-cell threshold read "<5".
with

listeners as (

    select * from {{ ref('fct_weekly_podcast_listeners') }}

),

shared as (

    select
        week_start,
        podcast_id,
        plays,
        streams,
        {{ small_cell('unique_listeners') }} as unique_listeners,
        {{ small_cell('engaged_listeners') }} as engaged_listeners,
        minutes_listened
    from listeners

)

select * from shared
{{ when_anything_changed() }}
