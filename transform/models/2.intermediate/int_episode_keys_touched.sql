{{ config(materialized='table') }}
{#
  The episode-grain keys this incremental run touches, for the marts keyed by episode or by
  (day, podcast) that int_play_keys_touched does not cover alone (the launch curves and the
  ad-break reach): the play keys, the episodes the catalog changed (int_episodes_recatalogued:
  a new release time moves a launch curve), and every (day, podcast) of the plays of an
  episode whose ad breaks changed. A break is known to the marts by fct_ad_break_reach,
  which is built after the other ad mart, so a run that dies earlier finds it again. Empty
  on a first build or a full refresh.
#}
with play_keys as (

    select * from {{ ref('int_play_keys_touched') }}

),

recatalogued as (

    select * from {{ ref('int_episodes_recatalogued') }}

),

{% if incremental_scope_available() and mart_relation('fct_ad_break_reach') is not none -%}
ad_breaks as (

    select * from {{ ref('stg_catalog__ad_breaks') }}

),

played_breaks as (

    -- the current breaks of the episodes with plays: the ones fct_ad_break_reach can hold
    select ad_breaks.episode_id, ad_breaks.break_number, ad_breaks.break_start_s, ad_breaks.break_end_s, ad_breaks.kind
    from ad_breaks
    where ad_breaks.episode_id in (select plays.episode_id from {{ mart_relation('fct_episode_plays') }} as plays)

),

reached_breaks as (

    select reach.episode_id, reach.break_number, reach.break_start_s, reach.break_end_s, reach.kind
    from {{ mart_relation('fct_ad_break_reach') }} as reach

),

changed_break_episodes as (

    select episode_id from (
        select * from played_breaks
        except
        select * from reached_breaks
    ) as added
    union distinct
    select episode_id from (
        select * from reached_breaks
        except
        select * from played_breaks
    ) as removed

),

ad_changed_keys as (

    select plays.episode_id, plays.event_date, plays.podcast_id
    from {{ mart_relation('fct_episode_plays') }} as plays
    where plays.episode_id in (select changed_break_episodes.episode_id from changed_break_episodes)

),
{%- else -%}
-- depends_on: {{ ref('stg_catalog__ad_breaks') }}
ad_changed_keys as (

    select play_keys.episode_id, play_keys.event_date, play_keys.podcast_id
    from play_keys
    where false

),
{%- endif %}

keys as (

    select episode_id, event_date, podcast_id from play_keys
    union distinct
    select episode_id, cast(null as date) as event_date, cast(null as {{ dbt.type_string() }}) as podcast_id
    from recatalogued
    union distinct
    select episode_id, event_date, podcast_id from ad_changed_keys

)

select * from keys
