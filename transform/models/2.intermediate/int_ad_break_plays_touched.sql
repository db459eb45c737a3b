-- int_ad_break_plays_measured over the touched plays only (int_episode_plays_touched).
{{ ad_break_plays_measured(ref('int_episode_plays_touched'), ref('int_play_segments_merged_touched')) }}
