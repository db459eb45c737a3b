{#
  One row per play of an episode and ad break of that episode's current catalog entry,
  with which of the IAB client-confirmed ad play markers the play heard (methodology,
  rule 12): the break's start, its 25 %, 50 % and 75 % points, and all of it. "Heard" is
  decided by the play's heard segments (int_play_segments_merged), never by the furthest
  point: a seek over a mid-roll jumps past its start without hearing it. A marker counts
  only when one heard range runs from the break's start to it, as an ad server's quartile
  beacons fire only for a creative "played continuously" to that point (VAST, quoted by
  Triton Digital's quartile reporting): a play resumed inside a break reaches none of its
  markers, and the five counts always form a funnel. Whole-number arithmetic: the q-th
  quarter point of [s, e] is reached when range start <= s and 4 s + q (e - s) <= 4 x range end.
#}
{{ ad_break_plays_measured(ref('fct_episode_plays'), ref('int_play_segments_merged')) }}
