{#
  One play = one listener with one episode in one session that has a play or resume event
  or any listened seconds (methodology, rule 4): a lone skip, pause or complete (a queue
  skip, "mark as played") is not a play. Pausing and resuming within the session is the
  same play; coming back after the inactivity gap is a new one. The episode's podcast and
  duration come from `int_episodes_resolved` (rule 8).
#}
{{ episode_plays_aggregated(ref('int_listening_spans_measured')) }}
