"""Every price and service limit `make plan` assumes, each with where it comes from.

Nothing here reaches AWS or Snowflake, so each figure was looked up in a stored copy of the
provider's page on `READ_ON`. `confirmed=True` means the figure itself was in the copy read;
`confirmed=False` means the page is the right one but its copy did not show the number (AWS
renders its price tables in the browser), so the figure is the list price as published for
us-east-1 and must be checked on that page for the deployment region before a budget relies
on it. The plan prints this list with every run, so an unconfirmed figure is never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

READ_ON = "2026-12-01"

KINESIS_PRICING = "https://aws.amazon.com/kinesis/data-streams/pricing/"
KINESIS_QUOTAS = "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"
KINESIS_MODES = "https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html"
FIREHOSE_PRICING = "https://aws.amazon.com/firehose/pricing/"
FIREHOSE_BUFFERING = "https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html"
S3_PRICING = "https://aws.amazon.com/s3/pricing/"
SNOWPIPE_FILE_SIZES = "https://docs.snowflake.com/en/user-guide/data-load-considerations-prepare"
SNOWPIPE_COSTS = "https://docs.snowflake.com/en/user-guide/data-load-snowpipe-billing"
SNOWFLAKE_WAREHOUSES = "https://docs.snowflake.com/en/user-guide/warehouses-overview"
SNOWFLAKE_PRICING = "https://www.snowflake.com/en/pricing-options/"


@dataclass(frozen=True, slots=True)
class Figure:
    """One price or limit: its value, unit, source page and whether the copy showed it."""

    name: str
    value: float
    unit: str
    source: str
    confirmed: bool
    note: str = ""


# --- Kinesis Data Streams, on-demand -----------------------------------------------------
KINESIS_STREAM_HOUR = Figure(
    "Kinesis on-demand stream-hour", 0.04, "USD per stream-hour", KINESIS_PRICING, False
)
KINESIS_INGEST_GB = Figure(
    "Kinesis on-demand data in",
    0.08,
    "USD per GB",
    KINESIS_PRICING,
    False,
    "billed per record rounded up to 1 KB (confirmed in the page's key terms)",
)
KINESIS_RETRIEVAL_GB = Figure(
    "Kinesis on-demand data out",
    0.04,
    "USD per GB",
    KINESIS_PRICING,
    False,
    "Firehose is the one consumer: every record read once",
)
KINESIS_EXTENDED_RETENTION_GB_MONTH = Figure(
    "Kinesis extended retention (24 h to 7 days)",
    0.10,
    "USD per GB-month",
    KINESIS_PRICING,
    False,
)
KINESIS_BILLING_UNIT_BYTES = Figure(
    "Kinesis billing unit", 1024, "bytes per record, rounded up", KINESIS_PRICING, True
)
KINESIS_NEW_STREAM_WRITE = Figure(
    "Kinesis on-demand write capacity of a new stream",
    4 * 1024 * 1024,
    "bytes/s",
    KINESIS_QUOTAS,
    True,
    "4 MB/s of write, 8 MB/s of read",
)
KINESIS_SHARD_RECORDS = Figure(
    "Kinesis records per shard",
    1000,
    "records/s",
    KINESIS_QUOTAS,
    True,
    "a new on-demand stream's 4 MB/s is 4 shards, so 4,000 records/s (derived)",
)
KINESIS_MAX_WRITE_LARGE_REGIONS = Figure(
    "Kinesis on-demand maximum write (us-east-1, us-west-2, eu-west-1)",
    10 * 1024**3,
    "bytes/s",
    KINESIS_QUOTAS,
    True,
)
KINESIS_MAX_WRITE_OTHER_REGIONS = Figure(
    "Kinesis on-demand maximum write (other regions)",
    200 * 1024**2,
    "bytes/s",
    KINESIS_QUOTAS,
    True,
    "10 GB/s on request",
)
KINESIS_SCALE_FACTOR = Figure(
    "Kinesis on-demand instant scale",
    2,
    "x the previous 30-day peak",
    KINESIS_MODES,
    False,
)
KINESIS_LARGE_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")

# --- Amazon Data Firehose ------------------------------------------------------------------
FIREHOSE_INGEST_GB = Figure(
    "Firehose data in (first 500 TB/month)",
    0.029,
    "USD per GB",
    FIREHOSE_PRICING,
    False,
    "billed per record rounded up to 5 KB",
)
FIREHOSE_BILLING_UNIT_BYTES = Figure(
    "Firehose billing unit",
    5 * 1024,
    "bytes per record, rounded up",
    FIREHOSE_PRICING,
    False,
)
FIREHOSE_MAX_BUFFER_BYTES = Figure(
    "Firehose S3 buffer size maximum",
    128 * 1024**2,
    "bytes (before compression)",
    FIREHOSE_BUFFERING,
    False,
)
FIREHOSE_MAX_INTERVAL_S = Figure(
    "Firehose S3 buffer interval maximum",
    900,
    "seconds",
    FIREHOSE_BUFFERING,
    False,
)

# --- S3 (Standard, Standard-IA, Glacier Instant Retrieval) --------------------------------
S3_STANDARD_GB_MONTH = Figure("S3 Standard", 0.023, "USD per GB-month", S3_PRICING, False)
S3_IA_GB_MONTH = Figure("S3 Standard-IA", 0.0125, "USD per GB-month", S3_PRICING, False)
S3_GLACIER_IR_GB_MONTH = Figure(
    "S3 Glacier Instant Retrieval", 0.004, "USD per GB-month", S3_PRICING, False
)
S3_PUT_PER_1000 = Figure("S3 PUT requests", 0.005, "USD per 1,000", S3_PRICING, False)
S3_MIN_BILLABLE_OBJECT = Figure(
    "S3 Standard-IA / Glacier IR minimum billable object",
    128 * 1024,
    "bytes",
    S3_PRICING,
    False,
)

# --- Snowflake -------------------------------------------------------------------------------
SNOWPIPE_RECOMMENDED_MIN = Figure(
    "Snowpipe recommended file size, low end",
    100 * 1000**2,
    "bytes compressed",
    SNOWPIPE_FILE_SIZES,
    True,
    "'roughly 100-250 MB (or larger) in size compressed'",
)
SNOWPIPE_RECOMMENDED_MAX = Figure(
    "Snowpipe recommended file size, high end",
    250 * 1000**2,
    "bytes compressed",
    SNOWPIPE_FILE_SIZES,
    True,
)
SNOWPIPE_CREDITS_PER_GB = Figure(
    "Snowpipe file ingestion",
    0.0037,
    "credits per GB",
    SNOWPIPE_COSTS,
    False,
    "taken on the uncompressed size (the larger of the two readings)",
)
WAREHOUSE_MIN_BILLED_S = Figure(
    "Warehouse minimum billed per resume",
    60,
    "seconds",
    SNOWFLAKE_WAREHOUSES,
    False,
    "then per second",
)
CREDIT_PRICE = Figure(
    "Snowflake credit (Enterprise edition, AWS)",
    3.00,
    "USD per credit",
    SNOWFLAKE_PRICING,
    False,
    "depends on edition, region and contract",
)
WAREHOUSE_CREDITS_PER_HOUR = {
    "XSMALL": 1, "SMALL": 2, "MEDIUM": 4, "LARGE": 8, "XLARGE": 16,
    "XXLARGE": 32, "XXXLARGE": 64, "X4LARGE": 128,
}  # fmt: skip
WAREHOUSE_CREDITS_SOURCE = Figure(
    "Warehouse credits per hour",
    1,
    "credit/hour for XSMALL, doubling per size",
    SNOWFLAKE_WAREHOUSES,
    False,
)

ALL_FIGURES: tuple[Figure, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Figure)
)
