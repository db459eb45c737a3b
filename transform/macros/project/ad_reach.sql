{#
  The ad-reach counts of a group of (play, ad break) rows of int_ad_break_plays_measured
  (methodology, rule 12): how many heard the break's start, each quartile point and all of
  it, and the two rates a buyer asks for first. One definition for every grain.
#}
{% macro ad_reach_measures() -%}
        count(*) as plays,
        count(distinct user_id) as unique_listeners,
        {%- for marker in ['start', '25', '50', '75'] %}
        cast(sum(case when heard_{{ marker }} then 1 else 0 end) as {{ dbt.type_bigint() }}) as plays_reaching_{{ marker }},
        {%- endfor %}
        cast(sum(case when heard_whole_break then 1 else 0 end) as {{ dbt.type_bigint() }}) as plays_completing_break,
        {{ as_ratio('sum(case when heard_start then 1 else 0 end) * 1.0 / count(*)') }} as start_rate,
        {{ as_ratio('sum(case when heard_whole_break then 1 else 0 end) * 1.0 / count(*)') }} as completion_rate
{%- endmacro %}
