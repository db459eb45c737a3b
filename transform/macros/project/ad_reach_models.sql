{#
  The ad-reach steps as macros over the relations they are given (like listening_models.sql):
  the intermediate views apply them to every play, incremental runs to the plays of the
  keys they touch (int_episode_plays_touched), so both paths run the same SQL.
#}

{#- The body of int_play_segments_merged (its header says what and why). -#}
{% macro play_segments_merged(segments_relation, plays_relation) -%}
with spans as (

    select * from {{ segments_relation }}

),

plays as (

    select * from {{ plays_relation }}

),

segments as (

    select
        plays.play_id,
        spans.segment_start_s,
        spans.segment_end_s,
        spans.span_start_ts,
        spans.playback_order,
        spans.span_start_event_id
    from spans
    inner join plays
        on spans.session_id = plays.session_id
        and spans.episode_id = plays.episode_id
    where spans.segment_start_s is not null

),

with_reach_so_far as (

    select
        *,
        max(segment_end_s) over (
            partition by play_id
            order by segment_start_s, segment_end_s, span_start_ts, playback_order, span_start_event_id
            rows between unbounded preceding and 1 preceding
        ) as previous_reach_s
    from segments

),

islands as (

    select
        *,
        sum(case when previous_reach_s is null or segment_start_s > previous_reach_s then 1 else 0 end)
            over (
                partition by play_id
                order by segment_start_s, segment_end_s, span_start_ts, playback_order, span_start_event_id
                rows between unbounded preceding and current row
            ) as range_number
    from with_reach_so_far

),

ranges as (

    select
        play_id,
        range_number,
        min(segment_start_s) as range_start_s,
        max(segment_end_s) as range_end_s
    from islands
    group by play_id, range_number

)

select * from ranges
{%- endmacro %}

{#- The body of int_ad_break_plays_measured (its header says what and why). -#}
{% macro ad_break_plays_measured(plays_relation, ranges_relation) -%}
with ad_breaks as (

    select * from {{ ref('stg_catalog__ad_breaks') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

plays as (

    select * from {{ plays_relation }}

),

ranges as (

    select * from {{ ranges_relation }}

),

break_plays as (

    select
        ad_breaks.episode_id,
        episodes.podcast_id,
        ad_breaks.break_number,
        ad_breaks.break_start_s,
        ad_breaks.break_end_s,
        ad_breaks.kind,
        plays.play_id,
        plays.user_id,
        plays.event_date
    from ad_breaks
    inner join episodes on ad_breaks.episode_id = episodes.episode_id
    inner join plays on ad_breaks.episode_id = plays.episode_id

),

markers_heard as (

    select
        break_plays.play_id,
        break_plays.break_number,
        {%- for quarter in [0, 1, 2, 3] %}
        max(case
            when ranges.range_start_s <= break_plays.break_start_s
                and 4 * break_plays.break_start_s + {{ quarter }} * (break_plays.break_end_s - break_plays.break_start_s)
                <= 4 * ranges.range_end_s
                then 1 else 0
        end) = 1 as heard_{{ ['start', '25', '50', '75'][quarter] }},
        {%- endfor %}
        max(case
            when ranges.range_start_s <= break_plays.break_start_s
                and break_plays.break_end_s <= ranges.range_end_s
                then 1 else 0
        end) = 1 as heard_whole_break
    from break_plays
    inner join ranges on break_plays.play_id = ranges.play_id
    group by break_plays.play_id, break_plays.break_number

),

measured as (

    select
        break_plays.*,
        coalesce(markers_heard.heard_start, false) as heard_start,
        coalesce(markers_heard.heard_25, false) as heard_25,
        coalesce(markers_heard.heard_50, false) as heard_50,
        coalesce(markers_heard.heard_75, false) as heard_75,
        coalesce(markers_heard.heard_whole_break, false) as heard_whole_break
    from break_plays
    left join markers_heard
        on break_plays.play_id = markers_heard.play_id
        and break_plays.break_number = markers_heard.break_number

)

select * from measured
{%- endmacro %}
