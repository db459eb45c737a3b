-- int_episode_plays_aggregated over this run's affected events only.
{{ episode_plays_aggregated(ref('int_listening_spans_affected')) }}
