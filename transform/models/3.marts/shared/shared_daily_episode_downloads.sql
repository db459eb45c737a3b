{{ rebuilt_when_anything_changed_config() }}
-- fct_daily_episode_downloads as shows and advertisers receive it: downloads (one per
-- listener, episode and day, so a count of listeners) under the small-cell threshold read "<5".
with

downloads as (

    select * from {{ ref('fct_daily_episode_downloads') }}

),

shared as (

    select
        event_date,
        podcast_id,
        episode_id,
        {{ small_cell('downloads') }} as downloads
    from downloads

)

select * from shared
{{ when_anything_changed() }}
