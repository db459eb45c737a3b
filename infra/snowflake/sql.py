"""The SQL the program hands to Snowflake, kept apart so tests can parse it with sqlglot.

The pipe's COPY is a template over fully qualified object names that the program fills
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


def qualified(*parts: str) -> str:
    """A fully qualified name. Config names are validated unquoted identifiers."""
    return ".".join(parts)


def raw_object(sf: SnowflakeConfig, name: str) -> str:
    return qualified(sf.raw_database, sf.raw_schema, name)


def pipe_copy_statement(sf: SnowflakeConfig) -> str:
    return PIPE_COPY_TEMPLATE.format(
        raw_table=raw_object(sf, sf.raw_table), stage=raw_object(sf, sf.stage)
    )
