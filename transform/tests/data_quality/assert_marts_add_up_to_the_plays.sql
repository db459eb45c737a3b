-- The daily marts must add up to the play fact: nothing lost or double counted. Minutes are
-- rounded per row (6 places), so a sum may differ from the total by half a unit per row.
with plays as (

    select count(*) as plays, sum(seconds_listened) / 60 as minutes
    from {{ ref('fct_episode_plays') }}

),

{%- set daily_marts = [
    'fct_daily_podcast_kpis',
    'fct_daily_episode_kpis',
    'fct_daily_client_app_listening',
    'fct_daily_platform_listening',
    'fct_daily_country_listening',
    'fct_weekly_podcast_listeners',
    'fct_monthly_network_listeners',
] %}

mart_sums as (

    {%- for mart in daily_marts %}
    select
        '{{ mart }}' as mart,
        sum(plays) as plays,
        sum(minutes_listened) as minutes,
        count(*) as mart_rows
    from {{ ref(mart) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

sessions as (

    select 'fct_listening_sessions' as mart, sum(plays) as plays
    from {{ ref('fct_listening_sessions') }}

),

mismatches as (

    select mart_sums.mart, mart_sums.plays, mart_sums.minutes
    from mart_sums
    cross join plays
    where
        mart_sums.plays != plays.plays
        or abs(mart_sums.minutes - plays.minutes) > 0.0000005 * mart_sums.mart_rows
    union all
    select sessions.mart, sessions.plays, null
    from sessions
    cross join plays
    where sessions.plays != plays.plays

)

select * from mismatches
