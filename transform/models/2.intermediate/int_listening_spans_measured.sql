{#
  Listening spans: from one playback event to the next one in the same session, in
  `playback_order` within an instant. Listened time is the playhead's advance while
  playing (episode seconds, so 1.5x speed is not double-counted as wall time and a seek's
  jump is not listening):
    - after play, resume, progress or seek the app is playing; after pause, complete or
      skip it is not;
    - the span ends at the next playback event's position, or for a seek at `seek_from_s`
      (where the playhead was before jumping);
    - a listener plays one episode at a time, so a span whose next event is another
      episode (auto-advance, switching) or that has no next event counts nothing: we do
      not know how far they got;
    - a playhead moving backwards without a seek counts nothing, never negative;
    - a span counts at most its wall-clock time x the shared config's `max_playback_speed` (3, the
      fastest speed apps offer): a playhead that leaps ahead without a seek event (two
      devices on one account, a lost seek) is not listening.
  The segment heard is [start position, start position + seconds listened] (rule 3): a
  leap's far end is never counted as heard.
#}
{{ listening_spans_measured(ref('int_user_events_sessionized')) }}
