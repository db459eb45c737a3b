"""The SQL the program hands to Snowflake, kept apart so tests can parse it with sqlglot.

The pipe's COPY is a template over fully qualified object names that the program fills
from the shared config; nothing here names an object by hand.
"""

from __future__ import annotations

from podcast_analytics.config import SnowflakeConfig

# Snowpipe's COPY keeps every record exactly as delivered (one JSON object per NDJSON line)
# plus where it came from: dbt decides validity and duplicates later, so nothing is judged
# or lost at load time.
# loaded_at is the reference time of `future_timestamp` and the incremental high-water mark,
# so it must be the load's own time. CREATE PIPE advises against SYSDATE()/CURRENT_TIMESTAMP
# & co. in a pipe's COPY (their value "can be a few hours earlier" than the load time) and
# recommends METADATA$START_SCAN_TIME (https://docs.snowflake.com/en/sql-reference/sql/create-pipe).
# That column is a TIMESTAMP_LTZ (https://docs.snowflake.com/en/user-guide/querying-metadata);
# converting it to UTC before the cast keeps loaded_at the UTC wall clock whatever the
# session's TIMEZONE (a bare LTZ->NTZ cast would use it). CONVERT_TIMEZONE and CAST are
# functions COPY transformations support
# (https://docs.snowflake.com/en/user-guide/data-load-transform).
LOADED_AT_EXPRESSION = "CONVERT_TIMEZONE('UTC', METADATA$START_SCAN_TIME)::TIMESTAMP_NTZ"
PIPE_COPY_TEMPLATE = """\
COPY INTO {raw_table} (record, source_file, source_row, loaded_at)
FROM (
    SELECT $1, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, {loaded_at}
    FROM @{stage}
)"""


def qualified(*parts: str) -> str:
    """A fully qualified name. Config names are validated unquoted identifiers."""
    return ".".join(parts)


def raw_object(sf: SnowflakeConfig, name: str) -> str:
    return qualified(sf.raw_database, sf.raw_schema, name)


def pipe_copy_statement(sf: SnowflakeConfig) -> str:
    return PIPE_COPY_TEMPLATE.format(
        raw_table=raw_object(sf, sf.raw_table),
        stage=raw_object(sf, sf.stage),
        loaded_at=LOADED_AT_EXPRESSION,
    )


# The catalog pipe's COPY is the events pipe's over the catalog's stage and table: the same
# columns, so one raw shape serves both sources. It sets none of the copy options a pipe
# refuses (FILES, ON_ERROR = ABORT_STATEMENT, SIZE_LIMIT, PURGE, FORCE, RETURN_FAILED_ONLY,
# VALIDATION_MODE, MATCH_BY_COLUMN_NAME: CREATE PIPE's usage notes,
# https://docs.snowflake.com/en/sql-reference/sql/create-pipe), so a bad snapshot is skipped
# whole (Snowpipe's ON_ERROR default SKIP_FILE) and reported by the error integration.
def catalog_pipe_copy_statement(sf: SnowflakeConfig) -> str:
    return PIPE_COPY_TEMPLATE.format(
        raw_table=raw_object(sf, sf.catalog_table),
        stage=raw_object(sf, sf.catalog_stage),
        loaded_at=LOADED_AT_EXPRESSION,
    )
