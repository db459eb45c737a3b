{{ config(materialized='table') }}
{#
  The staged events an incremental run recomputes (methodology, "Incremental runs"), after
  Snowplow's sessions lifecycle manifest: new events -> the sessions they touch -> only
  those sessions' events, re-read within their bounds.
    1. changed events: staged but not yet modelled (`not_yet_modelled`), whatever their
       `loaded_at` or lateness; a displaced record's modelled version counts too (its
       session may lose it);
    2. their playback events, clustered per listener (points no more than the session gap
       apart), are the points that can start, extend or merge sessions;
    3. the manifest's sessions (fct_listening_sessions) within the session gap of a cluster
       are the ones those points can join; the lookup goes back no further than
       `max_session_hours` + the gap before a cluster (no session is longer: a data test);
    4. clusters and touched sessions, merged per listener, are the windows whose playback
       events are re-read; a session outside them cannot change, since every gap around it
       stays wider than the session gap.
    5. the sessions with a play of an episode whose podcast or duration the catalog changed
       (int_episodes_recatalogued) are re-read too: their plays' completion depends on it.
  Non-playback events (downloads, follows) belong to no session: only the changed ones.
  Empty on a first build or a full refresh, when the facts read everything.
#}
{%- set gap_s = shared_setting('session_gap_minutes') * 60 -%}
{%- set lookup_s = shared_setting('max_session_hours') * 3600 + gap_s %}

-- depends_on: {{ ref('int_episodes_recatalogued') }}
with user_events as {{ not_materialized() }} (

    select * from {{ ref('stg_user_events') }}

),

{% if incremental_scope_available() -%}
changed_events as (

    select * from user_events
    where {{ not_yet_modelled('user_events') }}

),

displaced_versions as (

    -- the modelled version of a changed event that was in a session
    select modelled.user_id, modelled.event_ts
    from {{ mart_relation('fct_listening_events') }} as modelled
    inner join changed_events on modelled.event_id = changed_events.event_id
    where modelled.session_id is not null

),

points as (

    -- distinct: the cluster steps below order by (user_id, event_ts), and two equal rows
    -- flagged differently by lag() could be summed in either order (a tie)
    select user_id, event_ts from changed_events
    where event_type in {{ playback_event_types() }}
    union
    select user_id, event_ts from displaced_versions

),

point_gaps as (

    select
        user_id,
        event_ts,
        case
            when lag(event_ts) over (partition by user_id order by event_ts) is null then 1
            when {{ seconds_between('lag(event_ts) over (partition by user_id order by event_ts)', 'event_ts') }}
                > {{ gap_s }} then 1
            else 0
        end as starts_cluster
    from points

),

point_clusters as (

    select
        user_id,
        event_ts,
        sum(starts_cluster) over (
            partition by user_id order by event_ts rows between unbounded preceding and current row
        ) as cluster_number
    from point_gaps

),

clusters as (

    select user_id, min(event_ts) as window_start_ts, max(event_ts) as window_end_ts
    from point_clusters
    group by user_id, cluster_number

),

touched_sessions as (

    select
        manifest.user_id,
        manifest.session_start_ts as window_start_ts,
        manifest.session_end_ts as window_end_ts
    from {{ mart_relation('fct_listening_sessions') }} as manifest
    inner join clusters
        on manifest.user_id = clusters.user_id
        and manifest.session_start_ts <= {{ timestamp_add('second', gap_s, 'clusters.window_end_ts') }}
        and manifest.session_end_ts >= {{ timestamp_add('second', -gap_s, 'clusters.window_start_ts') }}
        and manifest.session_start_ts >= {{ timestamp_add('second', -lookup_s, 'clusters.window_start_ts') }}

),

recatalogued_sessions as (

    -- the sessions with a play of an episode whose podcast or duration the catalog changed
    select
        manifest.user_id,
        manifest.session_start_ts as window_start_ts,
        manifest.session_end_ts as window_end_ts
    from {{ mart_relation('fct_listening_sessions') }} as manifest
    where manifest.session_id in (
        select plays.session_id
        from {{ mart_relation('fct_episode_plays') }} as plays
        inner join {{ ref('int_episodes_recatalogued') }} as recatalogued
            on plays.episode_id = recatalogued.episode_id
        where recatalogued.plays_change
    )

),

windows as (

    -- distinct, so (window_start_ts, window_end_ts) orders a listener's windows totally: a
    -- session touched by two clusters came twice, and the two equal rows could get
    -- different starts_island flags yet be summed in the other order, splitting an island
    -- into two overlapping windows whose events were then re-read twice (152 duplicate
    -- event_ids in fct_listening_events at 90 days of bench-transform, stop 21)
    select * from clusters
    union
    select * from touched_sessions
    union
    select * from recatalogued_sessions

),

window_overlaps as (

    -- gaps and islands over intervals: a window starts an island when it begins after
    -- every earlier window of the listener has ended
    select
        *,
        case
            when max(window_end_ts) over (
                partition by user_id order by window_start_ts, window_end_ts
                rows between unbounded preceding and 1 preceding
            ) >= window_start_ts then 0
            else 1
        end as starts_island
    from windows

),

window_islands as (

    select
        *,
        sum(starts_island) over (
            partition by user_id order by window_start_ts, window_end_ts
            rows between unbounded preceding and current row
        ) as island_number
    from window_overlaps

),

merged_windows as (

    select user_id, min(window_start_ts) as window_start_ts, max(window_end_ts) as window_end_ts
    from window_islands
    group by user_id, island_number

),

reread_playback as (

    select user_events.*
    from user_events
    inner join merged_windows
        on user_events.user_id = merged_windows.user_id
        and user_events.event_ts between merged_windows.window_start_ts and merged_windows.window_end_ts
    where user_events.event_type in {{ playback_event_types() }}
        -- a constant lower bound lets the warehouse prune by date before the range join
        and user_events.event_date >= (
            select cast(min(all_windows.window_start_ts) as date) from merged_windows as all_windows
        )

),

affected as (

    select * from reread_playback
    union all
    select * from changed_events
    where event_type not in {{ playback_event_types() }}

)
{%- else -%}
affected as (

    select * from user_events
    where false

)
{%- endif %}

-- the columns of stg_user_events, whichever branch rendered
select * from affected  -- noqa: AM04
