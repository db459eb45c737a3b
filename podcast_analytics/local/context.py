"""The local side's context: moto's server with the configured resources, and OUT."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podcast_analytics.config import Settings
from podcast_analytics.local.emulator.moto_server import aws_client, moto_server
from podcast_analytics.local.emulator.resources import create_local_resources

# Under OUT: dbt's target/ and logs/ of the local transform.
DBT_DIR = "dbt"


@dataclass(frozen=True)
class LocalContext:
    settings: Settings  # load_settings("local")
    out_dir: Path  # warehouse file, exports/, dbt/ artefacts, reconciliation.json
    endpoint_url: str  # moto's server, http://127.0.0.1:PORT

    @property
    def duckdb_path(self) -> Path:
        return self.out_dir / self.settings.local.duckdb_file

    def client(self, service: str) -> Any:
        return aws_client(service, self.endpoint_url, self.settings.aws.region)


@contextlib.contextmanager
def local_aws(settings: Settings, out_dir: Path) -> Iterator[LocalContext]:
    """moto's server on a loopback port with the stream, buckets, queue and notification
    from the config; stopped when the block ends, whatever happens inside it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with moto_server(settings.local.host, settings.local.moto_port, settings.aws.region) as srv:
        create_local_resources(settings, srv.client)
        yield LocalContext(settings=settings, out_dir=out_dir, endpoint_url=srv.endpoint_url)
