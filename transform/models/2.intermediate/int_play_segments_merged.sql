{#
  The heard segments of each play (rule 3) merged into disjoint ranges: a play heard
  [0, 30], [30, 60] and [50, 90] heard [0, 90]. Whether a play heard a point or a whole
  stretch (an ad break, rule 12) is then one range test. Gaps-and-islands: ordered by start,
  a segment opens a new range when it starts after every earlier segment of the play has
  ended (touching segments merge: their shared end point was heard). Reads the stored
  segments (int_listening_segments), not the spans view: sessionizing all history on every
  run would cost what incremental runs save.
#}
{{ play_segments_merged(ref('int_listening_segments'), ref('fct_episode_plays')) }}
