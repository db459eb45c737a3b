{#
  One row per play of an episode and ad break of that episode's current catalog entry,
  with which of the IAB client-confirmed ad play markers the play heard (methodology,
  rule 12): the break's start, its 25 %, 50 % and 75 % points, and all of it. "Heard" is
  decided by the play's heard segments (int_play_segments_merged), never by the furthest
  point: a seek over a mid-roll jumps past its start without hearing it. Whole-number
  arithmetic: the q-th quarter point of [s, e] is heard when
  4 x range start <= 4 s + q (e - s) <= 4 x range end.
#}
{{ ad_break_plays_measured(ref('fct_episode_plays'), ref('int_play_segments_merged')) }}
