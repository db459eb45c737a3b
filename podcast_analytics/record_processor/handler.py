"""Firehose record-validation processor (the Lambda) and its pure core.

Firehose hands the Lambda base64 records; each must come back `Ok` (with the data to
deliver) or `ProcessingFailed` (Firehose then writes the original record to the error
prefix, `errors/processing-failed/yyyymmdd/`). Only the *shape* is checked here: a record
must be one UTF-8 JSON object. Contract rules (required fields, types, ranges) are dbt's job,
so that a record that breaks them is quarantined with a reason instead of vanishing.

The local Firehose stand-in imports `process_record` from here, so the pipeline on a laptop
runs exactly the code the Lambda runs. This module imports nothing outside the standard
library: it is the whole Lambda deployment package.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

# Firehose's limit for one record after transformation is 1,000 KiB; Kinesis' is 1 MiB.
MAX_RECORD_BYTES = 1_000 * 1024

Result = Literal["Ok", "ProcessingFailed"]


@dataclass(frozen=True, slots=True)
class Processed:
    result: Result
    data: bytes  # the NDJSON line to deliver when Ok; the original bytes when failed
    # why it failed: empty, oversize, invalid_utf8, not_json, not_an_object, duplicate_key
    reason: str | None


def process_record(data: bytes) -> Processed:
    """Pass one JSON object through as a newline-terminated line, or fail it with a reason."""
    if not data.strip():
        return Processed("ProcessingFailed", data, "empty")
    if len(data) > MAX_RECORD_BYTES:
        return Processed("ProcessingFailed", data, "oversize")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Processed("ProcessingFailed", data, "invalid_utf8")
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError:
        return Processed("ProcessingFailed", data, "duplicate_key")
    except ValueError:
        return Processed("ProcessingFailed", data, "not_json")
    if not isinstance(value, dict):
        return Processed("ProcessingFailed", data, "not_an_object")
    # The record is delivered byte for byte (no re-serialisation: unknown fields, number
    # formatting and key order survive); one object per line is what Snowpipe and
    # read_ndjson expect, so strip any newline the producer added and end with exactly one.
    return Processed("Ok", text.strip().replace("\n", " ").encode("utf-8") + b"\n", None)


class _DuplicateKeyError(ValueError):
    pass


def _reject_constant(name: str) -> None:
    # Python's json accepts NaN and Infinity; JSON (RFC 8259) and the warehouses do not.
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # With a repeated key Python keeps the last value and DuckDB the first: refuse the
    # record rather than let the two sides of the pipeline read different events.
    value = dict(pairs)
    if len(value) != len(pairs):
        raise _DuplicateKeyError
    return value


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """AWS Lambda entry point for a Firehose data-transformation invocation."""
    out = []
    failed: dict[str, int] = {}
    for record in event.get("records", []):
        processed = process_record(base64.b64decode(record["data"]))
        if processed.reason:
            failed[processed.reason] = failed.get(processed.reason, 0) + 1
            # Firehose's error output does not carry our reason; the log line does, keyed by
            # recordId, and re-validation (the re-drive command) derives it again.
            LOGGER.info(json.dumps({"recordId": record["recordId"], "reason": processed.reason}))
        out.append(
            {
                "recordId": record["recordId"],
                "result": processed.result,
                "data": base64.b64encode(processed.data).decode("ascii"),
            }
        )
    if failed:
        LOGGER.warning(json.dumps({"processing_failed": failed}))
    return {"records": out}
