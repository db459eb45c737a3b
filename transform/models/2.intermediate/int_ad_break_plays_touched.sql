-- int_ad_break_plays_measured over the touched plays only (int_episode_plays_touched).
-- A table, not a view: both ad-reach marts read it, and merging every touched play's heard
-- segments (window functions over all the plays of each touched episode) is the costliest
-- step of their incremental run; stored, it runs once per run instead of once per mart.
-- Empty on a first build or a full refresh, when the marts read int_ad_break_plays_measured.
{{ config(materialized='table') }}
{{ ad_break_plays_measured(ref('int_episode_plays_touched'), ref('int_play_segments_merged_touched')) }}
