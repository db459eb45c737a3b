-- int_listening_spans_measured over this run's affected events only.
{{ listening_spans_measured(ref('int_user_events_affected_sessionized')) }}
