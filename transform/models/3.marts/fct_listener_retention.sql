{{ rebuilt_when_anything_changed_config() }}
{#
  Weekly retention by first-listen cohort: listeners grouped by the ISO week (Monday) of
  their first play, and for each later week how many of them played anything. Weeks in
  which a cohort had nobody back are kept (as 0), so curves have no gaps.
#}
with plays as (

    select * from {{ ref('fct_episode_plays') }}

),

listener_weeks as (

    select distinct
        user_id,
        {{ week_start('event_date') }} as activity_week
    from plays

),

cohorts as (

    select user_id, min(activity_week) as cohort_week
    from listener_weeks
    group by user_id

),

cohort_sizes as (

    select cohort_week, count(*) as cohort_listeners
    from cohorts
    group by cohort_week

),

observed_weeks as (

    select distinct activity_week from listener_weeks

),

cohort_grid as (

    select
        cohort_sizes.cohort_week,
        observed_weeks.activity_week,
        cohort_sizes.cohort_listeners
    from cohort_sizes
    inner join observed_weeks on observed_weeks.activity_week >= cohort_sizes.cohort_week

),

active as (

    select cohorts.cohort_week, listener_weeks.activity_week, count(*) as active_listeners
    from listener_weeks
    inner join cohorts on listener_weeks.user_id = cohorts.user_id
    group by cohorts.cohort_week, listener_weeks.activity_week

),

retention as (

    select
        cohort_grid.cohort_week,
        {{ weeks_between('cohort_grid.cohort_week', 'cohort_grid.activity_week') }}
            as weeks_since_first_listen,
        cohort_grid.cohort_listeners,
        coalesce(active.active_listeners, 0) as active_listeners,
        {{ as_ratio("coalesce(active.active_listeners, 0) * 1.0 / cohort_grid.cohort_listeners") }}
            as retention_rate
    from cohort_grid
    left join active
        on cohort_grid.cohort_week = active.cohort_week
        and cohort_grid.activity_week = active.activity_week

)

select * from retention
{{ when_anything_changed() }}
