{{ touched_keys_config(['user_id', 'episode_id']) }}
{#
  One row per listener and episode, over all their plays (methodology, rule 10): seconds
  heard, share of the episode heard (capped at 1, and uncapped as Apple shows it: above 1
  means parts were heard more than once), and completed by the furthest-point rule.
#}
with plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), {'user_id': 'fact_row.user_id', 'episode_id': 'fact_row.episode_id'}) }}

),

listener_episodes as (

    select
        user_id,
        episode_id,
        podcast_id,
        episode_duration_s,
        min(play_start_ts) as first_played_at,
        max(play_end_ts) as last_played_at,
        count(*) as plays,
        {{ as_seconds('sum(seconds_listened)') }} as seconds_listened,
        max(furthest_position_listened_s) as furthest_position_listened_s,
        max(case when is_completed then 1 else 0 end) = 1 as is_completed,
        max(case when app_reported_complete then 1 else 0 end) = 1 as app_reported_complete
    from plays
    group by user_id, episode_id, podcast_id, episode_duration_s

),

shares as (

    select
        *,
        case
            when episode_duration_s > 0
                then {{ as_ratio('least(1, seconds_listened / episode_duration_s)') }}
        end as share_heard,
        case
            when episode_duration_s > 0
                then {{ as_ratio('seconds_listened / episode_duration_s') }}
        end as share_heard_uncapped
    from listener_episodes

)

select * from shares
