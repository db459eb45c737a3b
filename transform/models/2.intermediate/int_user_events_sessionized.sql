{#
  Every valid event, with its listening session for playback events. A session is built
  from playback events only (play, pause, resume, seek, progress, complete, skip): more than
  `session_gap_minutes` (shared config) between two of a listener's playback events starts
  a new one. Downloads, subscribes and unsubscribes belong to no session, so a background
  download during a pause neither extends nor splits it. The app's own session_id is
  optional and apps disagree on it, so sessions are derived here the same way for everyone.
  Events in the same instant are ordered by `playback_order` (stop, move, start), then id.
#}
{{ user_events_sessionized(ref('stg_user_events')) }}
