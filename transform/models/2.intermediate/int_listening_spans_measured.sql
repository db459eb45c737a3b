{#
  Listening spans: from one playhead event to the next one in the same session. Listened
  time is the playhead's advance while playing (episode seconds, so 1.5x speed is not
  double-counted as wall time and a seek's jump is not listening):
    - after play, resume, progress or seek the app is playing; after pause, complete or
      skip it is not;
    - the span ends at the next playhead event's position, or for a seek at `seek_from_s`
      (where the playhead was before jumping);
    - a listener plays one episode at a time, so a span whose next event is another
      episode (auto-advance, switching) or that has no next event counts nothing: we do
      not know how far they got;
    - a playhead moving backwards without a seek counts nothing, never negative;
    - a span counts at most its wall-clock time x the shared config's `max_playback_speed` (3, the
      fastest speed apps offer): a playhead that leaps ahead without a seek event (two
      devices on one account, a lost seek) is not listening.
#}
with session_events as (

    select * from {{ ref('int_user_events_sessionized') }}

),

playhead_events as (

    select *
    from session_events
    where event_type in ('play', 'pause', 'resume', 'seek', 'progress', 'complete', 'skip')

),

with_next_event as (

    select
        *,
        lead(episode_id) over (partition by session_id order by event_ts, event_id) as next_episode_id,
        lead(event_type) over (partition by session_id order by event_ts, event_id) as next_event_type,
        lead(position_s) over (partition by session_id order by event_ts, event_id) as next_position_s,
        lead(seek_from_s) over (partition by session_id order by event_ts, event_id) as next_seek_from_s,
        lead(event_ts) over (partition by session_id order by event_ts, event_id) as next_event_ts
    from playhead_events

),

measured as (

    select
        event_id as span_start_event_id,
        session_id,
        user_id,
        podcast_id,
        episode_id,
        event_type as span_start_event_type,
        event_ts as span_start_ts,
        position_s as span_start_position_s,
        case
            when next_episode_id = episode_id
                then case when next_event_type = 'seek' then next_seek_from_s else next_position_s end
        end as span_end_position_s,
        event_type in ('play', 'resume', 'progress', 'seek') as is_playing,
        {{ seconds_between('event_ts', 'next_event_ts') }} as span_wall_clock_s,
        episode_duration_s,
        loaded_at
    from with_next_event

),

spans as (

    select
        *,
        case
            when is_playing and span_end_position_s > span_start_position_s
                then least(
                    span_end_position_s - span_start_position_s,
                    span_wall_clock_s * {{ shared_setting('max_playback_speed') }}
                )
            else 0
        end as seconds_listened
    from measured

)

select * from spans
