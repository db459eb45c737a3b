{#
  `listeners_with_recatalogued_episodes()`: the listeners with a play in {{ this }}
  (fct_episode_plays) whose episode's podcast or duration is no longer the one
  int_episodes_resolved gives: a catalog entry arrived or changed (a re-cut episode, a
  corrected `itunes:duration`), so completion, engagement and consumption of those plays
  must be recomputed even though none of their events is new. Kept apart from the
  event-driven selection (incremental.sql) on purpose: it depends only on the plays fact
  and the resolved episodes. `is distinct from`: an episode may have had no duration.
#}
{% macro listeners_with_recatalogued_episodes() -%}
    select distinct modelled.user_id
    from {{ this }} as modelled
    inner join {{ ref('int_episodes_resolved') }} as episodes
        on modelled.episode_id = episodes.episode_id
    where modelled.podcast_id != episodes.podcast_id
        or modelled.episode_duration_s is distinct from episodes.episode_duration_s
{%- endmacro %}
