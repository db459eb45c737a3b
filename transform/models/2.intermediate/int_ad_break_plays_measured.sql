{#
  One row per play of an episode and ad break of that episode's current catalog entry,
  with which of the IAB client-confirmed ad play markers the play heard (methodology,
  rule 12): the break's start, its 25 %, 50 % and 75 % points, and all of it. "Heard" is
  decided by the play's heard segments (int_play_segments_merged), never by the furthest
  point: a seek over a mid-roll jumps past its start without hearing it. Whole-number
  arithmetic: the q-th quarter point of [s, e] is heard when
  4 x range start <= 4 s + q (e - s) <= 4 x range end.
#}
with ad_breaks as (

    select * from {{ ref('stg_catalog__ad_breaks') }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

plays as (

    select * from {{ ref('fct_episode_plays') }}

),

ranges as (

    select * from {{ ref('int_play_segments_merged') }}

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
            when 4 * ranges.range_start_s
                <= 4 * break_plays.break_start_s + {{ quarter }} * (break_plays.break_end_s - break_plays.break_start_s)
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
