{#
  The listening rules every model applies the same way; their meaning is written once, in
  docs/methodology.md (the `__overview__` of the docs site).
#}

{#- The event types a session is built from: a download, subscribe or unsubscribe neither
    starts nor extends one (methodology, rule 1). -#}
{% macro playback_event_types() -%}
    ('play', 'pause', 'resume', 'seek', 'progress', 'complete', 'skip')
{%- endmacro %}

{#- Order of events in the same instant (rule 2): what stops playback, then what moves the
    playhead, then what starts it; then the event id. Autoplay sends `complete A` and
    `play B` in the same millisecond, and A must end before B begins. -#}
{% macro playback_order(event_type) -%}
    case
        when {{ event_type }} in ('pause', 'complete', 'skip') then 1
        when {{ event_type }} in ('seek', 'progress') then 2
        when {{ event_type }} in ('play', 'resume') then 3
        else 4
    end
{%- endmacro %}

{#- Exact numbers (rule 9): seconds and positions at millisecond precision, minutes and
    rates at six decimals. Six decimals for minutes is also the first scale at which a
    whole number of milliseconds divided by 60 000 can never end in an exact half, so no
    engine's rounding of a tie can differ. -#}
{% macro as_seconds(expression) -%}
    cast({{ expression }} as decimal(18, 3))
{%- endmacro %}

{% macro as_minutes(seconds_expression) -%}
    cast({{ seconds_expression }} / 60 as decimal(18, 6))
{%- endmacro %}

{% macro as_ratio(expression) -%}
    cast({{ expression }} as decimal(18, 6))
{%- endmacro %}

{#- A stream (rule 6): a play with at least this many seconds heard (Spotify, IAB). -#}
{% macro stream_min_seconds() -%}60{%- endmacro %}

{#- An engaged listener (rule 6, Apple): this many seconds, or this share of the episode,
    heard in one session. -#}
{% macro engaged_min_seconds() -%}1200{%- endmacro %}
{% macro engaged_min_share() -%}0.4{%- endmacro %}
