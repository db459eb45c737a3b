{{ rebuilt_when_anything_changed_config() }}
{#
  Followers per podcast per UTC day (methodology, followers): each listener has one state
  per podcast, following or not. A subscribe while not following is a follow, an
  unsubscribe while following an unfollow; repeats change nothing. `followers` is the
  running total at the end of the day, counted from the first event the warehouse holds
  (a listener who followed before that and never sent an event is unknown to us).
#}
with events as {{ not_materialized() }} (

    select * from {{ ref('stg_user_events') }}

),

follow_events as (

    select
        user_id,
        podcast_id,
        event_id,
        event_ts,
        event_date,
        event_type = 'subscribe' as is_following
    from events
    where event_type in ('subscribe', 'unsubscribe')

),

with_previous_state as (

    select
        *,
        coalesce(
            lag(is_following) over (partition by user_id, podcast_id order by event_ts, event_id),
            false
        ) as was_following
    from follow_events

),

changes as (

    select
        event_date,
        podcast_id,
        count(case when is_following and not was_following then 1 end) as follows,
        count(case when was_following and not is_following then 1 end) as unfollows
    from with_previous_state
    group by event_date, podcast_id

),

days as (

    select distinct event_date from events

),

first_change_days as (

    select podcast_id, min(event_date) as first_date
    from changes
    where follows > 0
    group by podcast_id

),

podcast_days as (

    -- every day from a podcast's first follow on, so the running total has no gaps
    select days.event_date, first_change_days.podcast_id
    from days
    inner join first_change_days on days.event_date >= first_change_days.first_date

),

daily as (

    select
        podcast_days.event_date,
        podcast_days.podcast_id,
        coalesce(changes.follows, 0) as follows,
        coalesce(changes.unfollows, 0) as unfollows
    from podcast_days
    left join changes
        on podcast_days.event_date = changes.event_date
        and podcast_days.podcast_id = changes.podcast_id

),

followers as (

    select
        *,
        -- bigint: a sum of counts is HUGEINT in DuckDB, which the mart's contract (and
        -- Snowflake) does not know
        cast(sum(follows - unfollows) over (
            partition by podcast_id order by event_date
            rows between unbounded preceding and current row
        ) as bigint) as followers
    from daily

)

select * from followers
{{ when_anything_changed() }}
