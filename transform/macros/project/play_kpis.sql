{#
  The daily KPI metrics over `fct_episode_plays`, defined once for every grain that reports
  them (per podcast, per episode): the caller chooses the grain with its `group by`.
  Meanings: docs/methodology.md.
#}
{#- Counts are count(case ...) rather than sum(case ... 1 else 0): the same numbers, as
    BIGINT in DuckDB (a sum of integers is HUGEINT), so the marts' contracts hold on
    DuckDB and Snowflake alike. -#}
{% macro play_kpis() -%}
        count(*) as plays,
        count(case when is_stream then 1 end) as streams,
        count(distinct user_id) as unique_listeners,
        count(distinct case when is_engaged then user_id end) as engaged_listeners,
        {{ as_minutes('sum(seconds_listened)') }} as minutes_listened,
        count(case when is_completed then 1 end) as completed_plays,
        {{ as_ratio('sum(case when is_completed then 1 else 0 end) * 1.0 / count(*)') }}
            as completion_rate,
        {{ as_ratio('avg(consumption_ratio)') }} as avg_consumption
{%- endmacro %}

{#- Listeners in a period (a day, an ISO week, a month): counted over the period's plays,
    never summed from shorter periods (a listener of Monday and Tuesday is one listener of
    the week). `period_start` is the SQL for the period's first day. Incremental runs
    recompute the touched (period[, podcast]) keys only, from their plays. -#}
{% macro period_listeners(period_start, period_column, by_podcast) -%}
{%- set period_of_play = {
    'event_date': 'fact_row.event_date',
    'week_start': week_start('fact_row.event_date'),
    'month_start': month_start('fact_row.event_date'),
} -%}
{%- set keys = [period_column] + (['podcast_id'] if by_podcast else []) -%}
{{ touched_keys_config(keys) }}
with plays as (

    {%- set key_expressions = {period_column: period_of_play[period_column]} %}
    {%- if by_podcast %}{% do key_expressions.update({'podcast_id': 'fact_row.podcast_id'}) %}{% endif %}
    {{ rows_of_touched_keys(ref('fct_episode_plays'), key_expressions) }}

),

listeners as (

    select
        {{ period_start }} as {{ period_column }},
        {%- if by_podcast %}
        podcast_id,
        {%- endif %}
        count(*) as plays,
        count(case when is_stream then 1 end) as streams,
        count(distinct user_id) as unique_listeners,
        count(distinct case when is_engaged then user_id end) as engaged_listeners,
        {{ as_minutes('sum(seconds_listened)') }} as minutes_listened
    from plays
    group by {{ period_start }}{{ ', podcast_id' if by_podcast }}

)

select * from listeners
{%- endmacro %}

{#- Plays, listeners and minutes per day and podcast, by one attribute of the play (the
    client app, platform or country of its first event); an unknown value is 'unknown'.
    Incremental runs recompute every value of the touched (day, podcast) keys. -#}
{% macro listening_breakdown(dimension) -%}
{{ touched_keys_config(['event_date', 'podcast_id']) }}
with plays as (

    {{ rows_of_touched_keys(ref('fct_episode_plays'), {'event_date': 'fact_row.event_date', 'podcast_id': 'fact_row.podcast_id'}) }}

),

breakdown as (

    select
        event_date,
        podcast_id,
        coalesce({{ dimension }}, 'unknown') as {{ dimension }},
        count(*) as plays,
        count(distinct user_id) as unique_listeners,
        {{ as_minutes('sum(seconds_listened)') }} as minutes_listened
    from plays
    group by event_date, podcast_id, coalesce({{ dimension }}, 'unknown')

)

select * from breakdown
{%- endmacro %}

{#- The first day of the calendar month of `day`. -#}
{% macro month_start(day) -%}
    cast(date_trunc('month', {{ day }}) as date)
{%- endmacro %}
