{{
    config(
        materialized='incremental',
        unique_key='record_id',
        incremental_strategy=incremental_strategy_for('unique'),
        tmp_relation_type=tmp_relation_type_for(),
        on_schema_change='fail',
    )
}}
{#
  Every raw record, its contract fields pulled out, and the first contract rule it breaks.
  Incremental: parsing JSON is the most expensive step of the build, and a record's verdict
  never changes (it depends on the record and its load time only), so each run parses only
  the files it has not parsed yet, whatever their `loaded_at` (a backfill or a replay loads
  files older than the newest one here). After changing the contract, `future_tolerance_s`
  or `earliest_event_ts`, run with --full-refresh.
  The rule order is podcast_analytics/contract/validate.py's, reason codes included, so a
  record gets the same `invalid_reason` in Python and in SQL (tests compare them).
  The reference time for `future_timestamp` is `loaded_at`, so a rebuild next year
  judges a record exactly as today's build did.
#}
{%- set event_types = ['play', 'pause', 'resume', 'seek', 'progress', 'complete', 'skip', 'download', 'subscribe', 'unsubscribe'] -%}
{%- set playback_types = ['play', 'pause', 'resume', 'seek', 'progress', 'complete', 'skip', 'download'] -%}
{%- set position_types = ['play', 'pause', 'resume', 'seek', 'progress', 'complete', 'skip'] -%}
{%- set platforms = ['ios', 'android', 'web', 'desktop', 'smart_speaker', 'other'] -%}
{%- set required_strings = ['event_id', 'event_type', 'event_ts', 'user_id', 'podcast_id'] -%}
{%- set checked_fields = required_strings + ['episode_id', 'position_s', 'seek_from_s', 'episode_duration_s', 'session_id', 'client', 'client.platform', 'client.app', 'client.app_version', 'country'] -%}


with raw_events as (

    select * from {{ source('events', 'raw_events') }}
    {% if is_incremental() -%}
    where {{ not_yet_parsed(source('events', 'raw_events'), 'raw_events.source_file') }}
    {%- endif %}

),

fields as (

    select
        record,
        source_file,
        source_row,
        loaded_at,
        {%- for field in checked_fields %}
        {{ json_kind('record', field) }} as {{ field | replace('.', '_') }}_kind,
        {%- endfor %}
        {%- for field in required_strings + ['episode_id', 'session_id', 'client.platform', 'client.app', 'client.app_version', 'country'] %}
        {{ json_text('record', field) }} as {{ field | replace('.', '_') }}_text,
        {%- endfor %}
        {%- for field in ['position_s', 'seek_from_s', 'episode_duration_s'] %}
        {{ json_number('record', field) }} as {{ field }}_number{{ "," if not loop.last }}
        {%- endfor %}

    from raw_events

),

parsed_timestamps as (

    select
        *,
        {{ parse_rfc3339_utc('event_ts_text') }} as event_ts_utc
    from fields

),

validated as (

    select
        *,
        case
            {%- for field in required_strings %}
            when not {{ json_present(field ~ '_kind') }} then 'missing_field:{{ field }}'
            when {{ field }}_kind != 'string' then 'bad_type:{{ field }}'
            {%- endfor %}
            when length(event_id_text) = 0 or length(event_id_text) > 128 then 'bad_value:event_id'
            when user_id_text = '' then 'bad_value:user_id'
            when podcast_id_text = '' then 'bad_value:podcast_id'
            when event_type_text not in {{ sql_string_list(event_types) }} then 'unknown_event_type'
            when event_ts_utc is null then 'bad_timestamp'
            when event_ts_utc < {{ parse_rfc3339_utc("'" ~ shared_setting('earliest_event_ts') ~ "'") }}
                then 'too_early_timestamp'
            when event_ts_utc > {{ timestamp_add('second', shared_setting('future_tolerance_s'), 'loaded_at') }}
                then 'future_timestamp'
            when event_type_text in {{ sql_string_list(playback_types) }} and not {{ json_present('episode_id_kind') }}
                then 'missing_field:episode_id'
            when event_type_text in {{ sql_string_list(playback_types) }} and episode_id_kind != 'string'
                then 'bad_type:episode_id'
            when event_type_text in {{ sql_string_list(playback_types) }} and episode_id_text = ''
                then 'bad_value:episode_id'
            {%- for field, types in [('position_s', position_types), ('seek_from_s', ['seek'])] %}
            when event_type_text in {{ sql_string_list(types) }} and not {{ json_present(field ~ '_kind') }}
                then 'missing_field:{{ field }}'
            when event_type_text in {{ sql_string_list(types) }} and {{ field }}_kind != 'number'
                then 'bad_type:{{ field }}'
            when event_type_text in {{ sql_string_list(types) }} and not {{ is_finite(field ~ '_number') }}
                then 'bad_value:{{ field }}'
            when event_type_text in {{ sql_string_list(types) }} and {{ field }}_number < 0
                then 'negative_position'
            {%- endfor %}
            when {{ json_present('episode_duration_s_kind') }} and episode_duration_s_kind != 'number'
                then 'bad_type:episode_duration_s'
            when {{ json_present('episode_duration_s_kind') }}
                and (not {{ is_finite('episode_duration_s_number') }} or episode_duration_s_number <= 0)
                then 'bad_value:episode_duration_s'
            when {{ json_present('session_id_kind') }} and session_id_kind != 'string' then 'bad_type:session_id'
            when {{ json_present('client_kind') }} and client_kind != 'object' then 'bad_type:client'
            when {{ json_present('client_app_kind') }} and client_app_kind != 'string' then 'bad_type:client.app'
            when {{ json_present('client_app_version_kind') }} and client_app_version_kind != 'string'
                then 'bad_type:client.app_version'
            when {{ json_present('client_platform_kind') }}
                and (client_platform_kind != 'string' or client_platform_text not in {{ sql_string_list(platforms) }})
                then 'bad_value:client.platform'
            when {{ json_present('country_kind') }} and country_kind != 'string' then 'bad_type:country'
            when {{ json_present('country_kind') }} and not {{ regex_full_match('country_text', '[A-Z]{2}') }}
                then 'bad_value:country'
        end as invalid_reason
    from parsed_timestamps

),

records as (

    select
        {{ generate_surrogate_key(['source_file', 'source_row']) }} as record_id,
        record,
        source_file,
        source_row,
        loaded_at,
        invalid_reason,
        -- typed fields: only meaningful when the record is valid; kinds the contract does not
        -- check for this event type (e.g. a text position on a download) come out null
        event_id_text as event_id,
        event_type_text as event_type,
        event_ts_utc as event_ts,
        user_id_text as user_id,
        podcast_id_text as podcast_id,
        case when episode_id_kind = 'string' then episode_id_text end as episode_id,
        case when position_s_kind = 'number' then position_s_number end as position_s,
        case when seek_from_s_kind = 'number' then seek_from_s_number end as seek_from_s,
        case when episode_duration_s_kind = 'number' then episode_duration_s_number end as episode_duration_s,
        case when session_id_kind = 'string' then session_id_text end as client_session_id,
        case when client_app_kind = 'string' then client_app_text end as client_app,
        case when client_app_version_kind = 'string' then client_app_version_text end as client_app_version,
        case when client_platform_kind = 'string' then client_platform_text end as client_platform,
        case when country_kind = 'string' then country_text end as country
    from validated

)

select * from records
