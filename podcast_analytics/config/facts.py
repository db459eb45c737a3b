"""Small facts shared across tools, each defined once here and imported everywhere else.

Stdlib only, so the Lambda-free parts of the package, the CDK app, the Pulumi program and the
DAG can all import it without pulling in more than they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The checkout (here) or the MWAA DAG folder (dags/): both hold podcast_analytics/ and
# transform/ side by side, so one rule finds everything relative to the package.
REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = "transform"  # relative to REPO_ROOT: the config's dbt.project_dir
TRANSFORM_DIR = REPO_ROOT / DBT_PROJECT_DIR

# Apache Airflow versions Amazon MWAA offers -> the Python of MWAA's image for it, which picks
# Airflow's constraints file (constraints-<airflow>/constraints-<python>.txt) that MWAA's
# requirements.txt must name. Source: https://docs.aws.amazon.com/mwaa/latest/userguide/airflow-versions.html
# (and the constraints rule: https://docs.aws.amazon.com/mwaa/latest/userguide/connections-packages.html).
# Only versions confirmed on MWAA's image list are here (3.3.1 runs Python 3.12 there); to
# move to another version, check that page, add the row, and re-lock requirements/airflow.in.
MWAA_AIRFLOW_PYTHON: dict[str, str] = {
    "3.3.1": "3.12",
}

# Every environment the config describes; `local` runs on moto + DuckDB and is never deployed.
ENVIRONMENTS: tuple[str, ...] = ("local", "dev", "prod")
# Environments with cloud resources: CDK stacks, Pulumi stacks, GitHub environments.
CLOUD_ENVIRONMENTS: tuple[str, ...] = ("dev", "prod")


@dataclass(frozen=True, slots=True)
class RawColumn:
    """One column of the raw table, as Snowflake (Pulumi) and DuckDB (local loader) type it."""

    name: str
    meaning: str
    snowflake_type: str
    duckdb_type: str


# Columns of the raw table, identical in Snowflake and DuckDB, and the dbt source that reads
# it: the record exactly as delivered plus where it came from.
RAW_TABLE_COLUMNS: tuple[RawColumn, ...] = (
    RawColumn(
        "record",
        "the record as delivered (VARIANT in Snowflake, JSON text locally)",
        snowflake_type="VARIANT",
        duckdb_type="VARCHAR",
    ),
    RawColumn(
        "source_file",
        "object key the record was loaded from",
        snowflake_type="VARCHAR",
        duckdb_type="VARCHAR",
    ),
    RawColumn(
        "source_row",
        "1-based line number of the record inside that object",
        snowflake_type="NUMBER(38,0)",
        duckdb_type="INTEGER",
    ),
    RawColumn(
        "loaded_at",
        "UTC time the loader committed the object",
        snowflake_type="TIMESTAMP_NTZ",
        duckdb_type="TIMESTAMP",
    ),
)

# dbt's artefacts worth keeping from one invocation, relative to its project (or output) dir.
DBT_MANIFEST = "target/manifest.json"
DBT_ARTEFACTS: tuple[str, ...] = (DBT_MANIFEST, "target/run_results.json", "logs/dbt.log")
# Key prefix of per-run artefacts in the artefacts bucket: runs/<run key>/<file>.
RUNS_PREFIX = "runs/"

# Kinesis partition keys are 1..256 Unicode characters:
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
KINESIS_PARTITION_KEY_MAX_CHARS = 256
