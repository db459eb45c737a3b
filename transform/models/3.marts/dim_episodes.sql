{{ rebuilt_when_anything_changed_config() }}
-- One row per episode seen in any valid event; its podcast and duration are the ones every
-- mart uses (int_episodes_resolved, methodology rule 8: the catalog's where it lists the
-- episode, the events' otherwise), with the catalog's title and release time.
-- Built after every model an incremental run updates: int_episodes_recatalogued compares the
-- resolved episodes with this table, so a run that dies earlier repeats the same scope.
-- depends_on: {{ ref('fct_episode_plays') }}
-- depends_on: {{ ref('fct_listening_sessions') }}
-- depends_on: {{ ref('int_listening_segments') }}
-- depends_on: {{ ref('fct_daily_podcast_kpis') }}
-- depends_on: {{ ref('fct_daily_episode_kpis') }}
-- depends_on: {{ ref('fct_daily_network_listeners') }}
-- depends_on: {{ ref('fct_weekly_podcast_listeners') }}
-- depends_on: {{ ref('fct_weekly_network_listeners') }}
-- depends_on: {{ ref('fct_monthly_podcast_listeners') }}
-- depends_on: {{ ref('fct_monthly_network_listeners') }}
-- depends_on: {{ ref('fct_daily_client_app_listening') }}
-- depends_on: {{ ref('fct_daily_platform_listening') }}
-- depends_on: {{ ref('fct_daily_country_listening') }}
-- depends_on: {{ ref('fct_listener_episodes') }}
-- depends_on: {{ ref('fct_episode_listening_curve') }}
-- depends_on: {{ ref('fct_listener_retention') }}
-- depends_on: {{ ref('fct_daily_episode_downloads') }}
-- depends_on: {{ ref('fct_daily_podcast_followers') }}
-- depends_on: {{ ref('dim_clients') }}
-- depends_on: {{ ref('dim_listeners') }}
-- depends_on: {{ ref('dim_podcasts') }}
-- depends_on: {{ ref('shared_daily_episode_downloads') }}
-- depends_on: {{ ref('shared_daily_episode_kpis') }}
-- depends_on: {{ ref('shared_daily_podcast_followers') }}
-- depends_on: {{ ref('shared_daily_podcast_kpis') }}
-- depends_on: {{ ref('shared_monthly_podcast_listeners') }}
-- depends_on: {{ ref('shared_weekly_podcast_listeners') }}
-- depends_on: {{ ref('fct_ad_break_reach') }}
-- depends_on: {{ ref('fct_episode_launch_curve') }}
-- depends_on: {{ ref('fct_episode_launch_hours') }}
with episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

events as (

    select * from {{ ref('stg_user_events') }}

),

activity as (

    select
        episode_id,
        min(event_ts) as first_event_ts,
        max(event_ts) as last_event_ts,
        count(distinct user_id) as lifetime_listeners
    from events
    where episode_id is not null
    group by episode_id

),

described as (

    select
        episodes.episode_id,
        episodes.podcast_id,
        episodes.episode_duration_s,
        episodes.duration_source,
        episodes.title,
        episodes.published_at,
        episodes.reported_podcasts,
        activity.first_event_ts,
        activity.last_event_ts,
        activity.lifetime_listeners
    from episodes
    inner join activity on episodes.episode_id = activity.episode_id

)

select * from described
{{ when_anything_changed() }}
