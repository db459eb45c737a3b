{#
  The daily KPI metrics over `fct_episode_plays`, defined once for every grain that reports
  them (per podcast, per episode): the caller chooses the grain with its `group by`.
  Meanings are documented in models/3.marts/_marts__models.yml.
#}
{% macro play_kpis() -%}
        count(*) as plays,
        count(distinct user_id) as unique_listeners,
        sum(seconds_listened) / 60.0 as minutes_listened,
        sum(case when is_completed then 1 else 0 end) as completed_plays,
        avg(case when is_completed then 1.0 else 0.0 end) as completion_rate,
        avg(consumption_ratio) as avg_consumption
{%- endmacro %}
