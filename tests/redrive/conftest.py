"""moto's server on loopback (the local pipeline's lifecycle helper), shared by this folder."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from podcast_analytics.config import Settings, load_settings
from podcast_analytics.local.emulator.moto_server import MotoServer, aws_client, moto_server
from podcast_analytics.local.emulator.resources import create_local_resources


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings("local")


@pytest.fixture(scope="session")
def server(settings: Settings) -> Iterator[MotoServer]:
    with moto_server(settings.local.host, 0, settings.aws.region) as running:
        yield running


@pytest.fixture
def moto_endpoint(server: MotoServer, settings: Settings) -> str:
    """A clean emulator per test (the re-drive deletes and rewrites objects), with the
    stream and buckets the CDK stacks create in the cloud."""
    request = urllib.request.Request(f"{server.endpoint_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=5).close()
    create_local_resources(settings, server.client)
    return server.endpoint_url


def client(service: str, endpoint: str, settings: Settings) -> Any:
    return aws_client(service, endpoint, settings.aws.region)
