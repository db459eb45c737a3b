"""The SQL the program hands to Snowflake, kept apart so tests can parse it with sqlglot.

Both statements are templates over fully qualified object names that the program fills
from the shared config; nothing here names an object by hand.
"""

from __future__ import annotations

from podcast_analytics.config import SnowflakeConfig

# Snowpipe's COPY keeps every record exactly as delivered (one JSON object per NDJSON line)
# plus where it came from: dbt decides validity and duplicates later, so nothing is judged
# or lost at load time. SYSDATE() is the current UTC time as TIMESTAMP_NTZ.
PIPE_COPY_TEMPLATE = """\
COPY INTO {raw_table} (record, source_file, source_row, loaded_at)
FROM (
    SELECT $1, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, SYSDATE()
    FROM @{stage}
)"""

# The change-capture task's job: consume the append-only stream (only rows loaded since the
# last run) and record, per run, which UTC event dates those rows carry and over which
# load-time range. Incremental dbt models read this small table to rebuild exactly the event
# dates that received rows after their `loaded_at` high-water mark, instead of re-scanning a
# blanket `late_arrival_lookback_days` window (and missing anything later than it).
# event_date is a hint, not a verdict: an unparsable event_ts gives NULL and dbt quarantines.
LOAD_DATES_TASK_TEMPLATE = """\
INSERT INTO {load_dates_table} (event_date, min_loaded_at, max_loaded_at, records, captured_at)
SELECT
    TO_DATE(
        CONVERT_TIMEZONE('UTC', TRY_CAST(record:event_ts::VARCHAR AS TIMESTAMP_TZ))
    ) AS event_date,
    MIN(loaded_at) AS min_loaded_at,
    MAX(loaded_at) AS max_loaded_at,
    COUNT(*) AS records,
    SYSDATE() AS captured_at
FROM {stream}
GROUP BY event_date"""

# Columns of the load-dates table, in the order the task inserts them.
LOAD_DATES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("event_date", "DATE", "UTC date of event_ts (NULL when it does not parse)"),
    ("min_loaded_at", "TIMESTAMP_NTZ", "earliest loaded_at among these rows"),
    ("max_loaded_at", "TIMESTAMP_NTZ", "latest loaded_at among these rows"),
    ("records", "NUMBER(38,0)", "raw rows of this event date in this task run"),
    ("captured_at", "TIMESTAMP_NTZ", "UTC time the task run recorded them"),
)


def qualified(*parts: str) -> str:
    """A fully qualified name. Config names are validated unquoted identifiers."""
    return ".".join(parts)


def raw_object(sf: SnowflakeConfig, name: str) -> str:
    return qualified(sf.raw_database, sf.raw_schema, name)


def pipe_copy_statement(sf: SnowflakeConfig) -> str:
    return PIPE_COPY_TEMPLATE.format(
        raw_table=raw_object(sf, sf.raw_table), stage=raw_object(sf, sf.stage)
    )


def load_dates_task_statement(sf: SnowflakeConfig) -> str:
    return LOAD_DATES_TASK_TEMPLATE.format(
        load_dates_table=raw_object(sf, sf.load_dates_table),
        stream=raw_object(sf, sf.stream),
    )


def stream_has_data_condition(sf: SnowflakeConfig) -> str:
    """The task's WHEN: skip the run (and the warehouse) when nothing new arrived."""
    return f"SYSTEM$STREAM_HAS_DATA('{raw_object(sf, sf.stream)}')"
