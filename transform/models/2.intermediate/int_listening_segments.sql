{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tmp_relation_type=tmp_relation_type_for(),
        pre_hook="{{ delete_rebuilt_sessions('span_start_ts') }}",
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('int_listening_spans_affected') }}
-- depends_on: {{ ref('int_sessions_rebuilt') }}
{#
  The heard segments of every listening span (methodology, rule 3), stored so the listening
  curve can be recomputed for the episodes a run touches without sessionizing all history
  again. Replaced per rebuilt session like fct_episode_plays.
#}
with spans as (

    select * from {{ ref('int_listening_spans_affected') if affected_only() else ref('int_listening_spans_measured') }}

),

segments as (

    select
        session_id,
        user_id,
        episode_id,
        span_start_ts,
        playback_order,
        span_start_event_id,
        segment_start_s,
        segment_end_s
    from spans
    where segment_start_s is not null

)

select * from segments
