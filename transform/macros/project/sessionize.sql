{#
  Sessionization: split each partition (a listener) into sessions wherever the time since
  the partition's previous event is more than `gap_minutes`. Returns a select over
  `relation` with every column plus:
    is_session_start   1 on the first event of a session, else 0
    session_number     1, 2, ... per partition in time order
    session_start_ts   the first event's timestamp (stable while no earlier event arrives)
  `tiebreak` orders events sharing a timestamp so reruns number them identically.
#}
{% macro sessionize(relation, partition_by, timestamp_column, tiebreak, gap_minutes) -%}
    with ordered as (
        select
            *,
            lag({{ timestamp_column }}) over (
                partition by {{ partition_by }}
                order by {{ timestamp_column }}, {{ tiebreak }}
            ) as previous_event_ts
        from {{ relation }}
    ),

    session_starts as (
        select
            *,
            case
                when previous_event_ts is null then 1
                when {{ seconds_between('previous_event_ts', timestamp_column) }}
                    > {{ gap_minutes }} * 60 then 1
                else 0
            end as is_session_start
        from ordered
    ),

    numbered as (
        select
            *,
            sum(is_session_start) over (
                partition by {{ partition_by }}
                order by {{ timestamp_column }}, {{ tiebreak }}
                rows between unbounded preceding and current row
            ) as session_number
        from session_starts
    )

    select
        *,
        min({{ timestamp_column }}) over (
            partition by {{ partition_by }}, session_number
        ) as session_start_ts
    from numbered
{%- endmacro %}
