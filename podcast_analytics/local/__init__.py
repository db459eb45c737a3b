"""The local side of the pipeline: the same stages as the cloud side, on loopback stand-ins.

`local_aws` starts moto's server (emulator/) and yields a `LocalContext`; each stage takes it
and returns a small JSON-able summary. Stage names match `podcast_analytics.cloud`:
`read_catalog`, `load`, `transform`, `export`, `artefacts`; `ingest` (and the generator's
feeds, `publish_generated_feeds`) exist only here (in the cloud the
podcast apps produce). `emulator/` holds the stand-ins themselves: moto's server, a
Firehose running the Lambda's `process_record`, and a Snowpipe loading into DuckDB.
"""

from podcast_analytics.local.artefacts import upload_artefacts
from podcast_analytics.local.catalog import publish_generated_feeds, read_catalog
from podcast_analytics.local.context import DBT_DIR, LocalContext, local_aws
from podcast_analytics.local.export import EXPORTS_DIR, export, mart_names
from podcast_analytics.local.ingest import ingest
from podcast_analytics.local.load import load
from podcast_analytics.local.transform import transform

__all__ = [
    "DBT_DIR",
    "EXPORTS_DIR",
    "LocalContext",
    "export",
    "ingest",
    "load",
    "local_aws",
    "mart_names",
    "publish_generated_feeds",
    "read_catalog",
    "transform",
    "upload_artefacts",
]
