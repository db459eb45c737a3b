"""moto's server on loopback, shared by the re-drive tests of this folder."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from podcast_analytics.config import Settings, load_settings

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings("local")


def client(service: str, endpoint: str, settings: Settings) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=settings.aws.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
