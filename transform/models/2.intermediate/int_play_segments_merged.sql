{#
  The heard segments of each play (rule 3) merged into disjoint ranges: a play heard
  [0, 30], [30, 60] and [50, 90] heard [0, 90]. Whether a play heard a point or a whole
  stretch (an ad break, rule 12) is then one range test. Gaps-and-islands: ordered by start,
  a segment opens a new range when it starts after every earlier segment of the play has
  ended (touching segments merge: their shared end point was heard). Reads the stored
  segments (int_listening_segments), not the spans view: sessionizing all history on every
  run would cost what incremental runs save.
#}
with spans as (

    select * from {{ ref('int_listening_segments') }}

),

plays as (

    select * from {{ ref('fct_episode_plays') }}

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
