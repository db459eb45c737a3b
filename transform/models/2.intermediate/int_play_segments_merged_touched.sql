-- int_play_segments_merged over the touched plays only (int_episode_plays_touched).
{{ play_segments_merged(ref('int_listening_segments'), ref('int_episode_plays_touched')) }}
