{#
  Every raw catalog record with its fate: `quarantined` (breaks the catalog contract),
  `valid` (the first arrival of its episode version) or `duplicate` (the same episode
  version, `episode_id` + `fetched_at`, loaded again: a snapshot replayed under another
  name). The rules are podcast_analytics/contract/catalog.py's, in its order and with its
  reason codes, so a record gets the same `invalid_reason` in Python and in SQL (tests
  compare them). The catalog is small (one row per episode version), so it is rebuilt
  every run rather than parsed incrementally.
#}
{%- set required_strings = ['podcast_id', 'episode_id', 'title', 'published_at', 'fetched_at'] -%}
{%- set break_kinds = ['pre', 'mid', 'post'] -%}

with raw_catalog as (

    select * from {{ source('catalog', 'raw_catalog') }}

),

fields as (

    select
        {{ generate_surrogate_key(['source_file', 'source_row']) }} as record_id,
        record,
        source_file,
        source_row,
        loaded_at,
        {{ json_value_kind('record') }} as record_kind,
        {%- for field in required_strings + ['duration_s', 'ad_breaks', 'feed_url'] %}
        {{ json_kind('record', field) }} as {{ field }}_kind,
        {%- endfor %}
        {%- for field in required_strings + ['feed_url'] %}
        {{ json_text('record', field) }} as {{ field }}_text,
        {%- endfor %}
        {{ json_number('record', 'duration_s') }} as duration_s_number
    from raw_catalog

),

parsed_timestamps as (

    select
        *,
        {{ parse_rfc3339_utc('published_at_text') }} as published_at_utc,
        {{ parse_rfc3339_utc('fetched_at_text') }} as fetched_at_utc
    from fields

),

{#- One row per element of `ad_breaks` when it is an array. -#}
break_elements as (

    {{ json_array_elements('fields', 'record', 'ad_breaks', ['record_id', 'duration_s_number']) }}

),

break_fields as (

    select
        record_id,
        element_index,
        duration_s_number,
        {{ json_value_kind('element') }} as element_kind,
        {{ json_kind('element', 'start_s') }} as start_s_kind,
        {{ json_kind('element', 'end_s') }} as end_s_kind,
        {{ json_kind('element', 'kind') }} as kind_kind,
        {{ json_number('element', 'start_s') }} as start_s_number,
        {{ json_number('element', 'end_s') }} as end_s_number,
        {{ json_text('element', 'kind') }} as kind_text
    from break_elements

),

{#- Each break's first broken rule (contract order 7); only meaningful when every element
    is an object, which `break_verdicts` checks first. -#}
break_reasons as (

    select
        *,
        case
            {%- for field in ['start_s', 'end_s'] %}
            when not {{ json_present(field ~ '_kind') }} then 'missing_field:ad_breaks.{{ field }}'
            when {{ field }}_kind != 'number' then 'bad_type:ad_breaks.{{ field }}'
            when not {{ is_finite(field ~ '_number') }}{{ ' or start_s_number < 0' if field == 'start_s' }}
                then 'bad_value:ad_breaks.{{ field }}'
            {%- endfor %}
            when not {{ json_present('kind_kind') }} then 'missing_field:ad_breaks.kind'
            when kind_kind != 'string' or kind_text not in {{ sql_string_list(break_kinds) }}
                then 'bad_value:ad_breaks.kind'
            when not (start_s_number < end_s_number and end_s_number <= duration_s_number)
                then 'bad_value:ad_breaks.range'
        end as break_reason
    from break_fields

),

{#- The record's ad-break verdict: `bad_type:ad_breaks` when any element is not an object,
    else the reason of the first break (in list order) that breaks a rule. -#}
break_verdicts as (

    select
        record_id,
        max(case when element_kind != 'object' then 1 else 0 end) = 1 as has_non_object,
        min(case when break_reason is not null then element_index end) as first_bad_index
    from break_reasons
    group by record_id

),

first_break_reasons as (

    select break_verdicts.record_id, break_verdicts.has_non_object, break_reasons.break_reason
    from break_verdicts
    left join break_reasons
        on break_verdicts.record_id = break_reasons.record_id
        and break_verdicts.first_bad_index = break_reasons.element_index

),

validated as (

    select
        parsed_timestamps.*,
        case
            when parsed_timestamps.record_kind != 'object' then 'not_an_object'
            {%- for field in required_strings %}
            when not {{ json_present(field ~ '_kind') }} then 'missing_field:{{ field }}'
            when {{ field }}_kind != 'string' then 'bad_type:{{ field }}'
            {%- endfor %}
            {%- for field in ['podcast_id', 'episode_id', 'title'] %}
            when {{ field }}_text = '' then 'bad_value:{{ field }}'
            {%- endfor %}
            when published_at_utc is null then 'bad_timestamp:published_at'
            when fetched_at_utc is null then 'bad_timestamp:fetched_at'
            when published_at_utc > fetched_at_utc then 'published_after_fetch'
            when not {{ json_present('duration_s_kind') }} then 'missing_field:duration_s'
            when duration_s_kind != 'number' then 'bad_type:duration_s'
            when not {{ is_finite('duration_s_number') }} or duration_s_number <= 0
                then 'bad_value:duration_s'
            when {{ json_present('ad_breaks_kind') }} and ad_breaks_kind != 'array'
                then 'bad_type:ad_breaks'
            when first_break_reasons.has_non_object then 'bad_type:ad_breaks'
            when first_break_reasons.break_reason is not null then first_break_reasons.break_reason
            when {{ json_present('feed_url_kind') }} and feed_url_kind != 'string' then 'bad_type:feed_url'
            when {{ json_present('feed_url_kind') }} and not {{ is_http_url('feed_url_text') }}
                then 'bad_value:feed_url'
        end as invalid_reason
    from parsed_timestamps
    left join first_break_reasons on parsed_timestamps.record_id = first_break_reasons.record_id

),

records as (

    select
        record_id,
        record,
        source_file,
        source_row,
        loaded_at,
        invalid_reason,
        -- typed fields: only meaningful when the record is valid
        case when podcast_id_kind = 'string' then podcast_id_text end as podcast_id,
        case when episode_id_kind = 'string' then episode_id_text end as episode_id,
        -- `title` is the contract's field name, though a keyword to the linter
        case when title_kind = 'string' then title_text end as title,  -- noqa: RF04
        published_at_utc as published_at,
        {{ as_seconds('case when invalid_reason is null then duration_s_number end') }} as duration_s,
        case when feed_url_kind = 'string' then feed_url_text end as feed_url,
        fetched_at_utc as fetched_at
    from validated

),

{#- Among valid records, the first to arrive per episode version wins; invalid records
    never compete, they are all quarantined. -#}
ranked as (

    select
        *,
        case
            when invalid_reason is null then row_number() over (
                partition by
                    case when invalid_reason is null then episode_id end,
                    case when invalid_reason is null then fetched_at end
                order by loaded_at, source_file, source_row
            )
        end as arrival_rank
    from records

),

classified as (

    select
        record_id,
        record,
        source_file,
        source_row,
        loaded_at,
        invalid_reason,
        podcast_id,
        episode_id,
        title,
        published_at,
        duration_s,
        feed_url,
        fetched_at,
        case
            when invalid_reason is not null then 'quarantined'
            when arrival_rank = 1 then 'valid'
            else 'duplicate'
        end as record_status
    from ranked

)

select * from classified
