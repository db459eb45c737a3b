{{ rebuilt_when_anything_changed_config() }}
-- fct_daily_podcast_followers as shows and advertisers receive it: follower counts (each a
-- count of listeners) under the small-cell threshold read "<5".
with

followers as (

    select * from {{ ref('fct_daily_podcast_followers') }}

),

shared as (

    select
        event_date,
        podcast_id,
        {{ small_cell('follows') }} as follows,
        {{ small_cell('unfollows') }} as unfollows,
        {{ small_cell('followers') }} as followers
    from followers

)

select * from shared
{{ when_anything_changed() }}
