{{ touched_keys_config(['episode_id']) }}
{#
  The listening curve (methodology, rule 7; Spotify's audience retention, Apple's intro
  and mid-roll view): at each 5 % point of an episode, how many distinct listeners heard
  that point (a heard segment [start, end] covers it, ends included), and their share of
  the episode's listeners. Unlike "furthest point reached" it can rise again after a
  skipped mid-roll. Only episodes with a known duration have a curve. Incremental runs
  recompute the touched episodes' curves, from the stored segments (int_listening_segments).
#}
with spans as (

    {{ rows_of_touched_keys(ref('int_listening_segments'), {'episode_id': 'fact_row.episode_id'}) }}

),

plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), {'episode_id': 'fact_row.episode_id'}) }}

),

episodes as (

    select * from {{ ref('int_episodes_resolved') }}

),

points as (

    {%- for pct in range(0, 101, 5) %}
    select {{ pct }} as pct_of_episode{{ ' union all' if not loop.last }}
    {%- endfor %}

),

episode_listeners as (

    select plays.episode_id, count(distinct plays.user_id) as episode_listeners
    from plays
    inner join episodes on plays.episode_id = episodes.episode_id
    where episodes.episode_duration_s > 0
    group by plays.episode_id

),

segments as (

    select spans.episode_id, spans.user_id, spans.segment_start_s, spans.segment_end_s
    from spans
    where spans.segment_start_s is not null

),

curve_grid as (

    select
        episode_listeners.episode_id,
        episodes.podcast_id,
        episodes.episode_duration_s,
        points.pct_of_episode,
        episode_listeners.episode_listeners
    from episode_listeners
    inner join episodes on episode_listeners.episode_id = episodes.episode_id
    cross join points

),

heard_points as (

    -- whole-number arithmetic: a point p % into an episode of d seconds is covered when
    -- 100 x start <= p x d <= 100 x end
    select
        curve_grid.episode_id,
        curve_grid.pct_of_episode,
        count(distinct segments.user_id) as listeners
    from curve_grid
    inner join segments
        on curve_grid.episode_id = segments.episode_id
        and 100 * segments.segment_start_s <= curve_grid.pct_of_episode * curve_grid.episode_duration_s
        and 100 * segments.segment_end_s >= curve_grid.pct_of_episode * curve_grid.episode_duration_s
    group by curve_grid.episode_id, curve_grid.pct_of_episode

),

curve as (

    select
        curve_grid.episode_id,
        curve_grid.podcast_id,
        curve_grid.pct_of_episode,
        curve_grid.episode_listeners,
        coalesce(heard_points.listeners, 0) as listeners,
        {{ as_ratio('coalesce(heard_points.listeners, 0) * 1.0 / curve_grid.episode_listeners') }}
            as share_of_listeners
    from curve_grid
    left join heard_points
        on curve_grid.episode_id = heard_points.episode_id
        and curve_grid.pct_of_episode = heard_points.pct_of_episode

)

select * from curve
