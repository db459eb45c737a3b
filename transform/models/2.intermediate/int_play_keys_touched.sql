{{ config(materialized='table') }}
{#
  The mart keys this incremental run touches: every (listener, episode, podcast, day, week,
  month) of a playback event it re-reads (int_user_events_affected) or of the modelled
  version of one (fct_listening_events before this run: a displaced record's old day or
  episode). A play is dated by its first event and belongs to its episode's podcast, so a
  replaced or new play's keys are among these; the aggregate marts delete and recompute
  exactly these keys from the facts (never adding counts: listeners are distinct per key).
  Empty on a first build or a full refresh.
#}
with affected as (

    select * from {{ ref('int_user_events_affected') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

{% if incremental_scope_available() -%}
modelled_versions as (

    select modelled.user_id, modelled.episode_id, modelled.event_date
    from {{ mart_relation('fct_listening_events') }} as modelled
    inner join affected on modelled.event_id = affected.event_id
    where modelled.session_id is not null

),
{%- else -%}
modelled_versions as (

    select affected.user_id, affected.episode_id, affected.event_date
    from affected
    where false

),
{%- endif %}

event_keys as (

    select user_id, episode_id, event_date from affected
    where event_type in {{ playback_event_types() }}
    union distinct
    select user_id, episode_id, event_date from modelled_versions

),

keys as (

    select distinct
        event_keys.user_id,
        event_keys.episode_id,
        episodes.podcast_id,
        event_keys.event_date,
        {{ week_start('event_keys.event_date') }} as week_start,
        {{ month_start('event_keys.event_date') }} as month_start
    from event_keys
    inner join episodes on event_keys.episode_id = episodes.episode_id

)

select * from keys
