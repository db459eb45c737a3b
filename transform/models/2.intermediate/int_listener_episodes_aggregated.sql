-- Episode progress per listener: how far each listener has got with each episode, over all
-- their plays. Drives the drop-off curve and "who finished what".
with plays as (

    select * from {{ ref('int_episode_plays_aggregated') }}

),

progress as (

    select
        user_id,
        episode_id,
        min(podcast_id) as podcast_id,
        min(play_start_ts) as first_played_at,
        max(play_end_ts) as last_played_at,
        count(*) as plays,
        sum(seconds_listened) as seconds_listened,
        coalesce(max(furthest_position_listened_s), 0) as furthest_position_listened_s,
        max(case when is_completed then 1 else 0 end) = 1 as has_completed
    from plays
    group by user_id, episode_id

)

select * from progress
