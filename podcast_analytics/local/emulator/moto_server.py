"""moto's AWS server on a loopback port: started for a run, always stopped after it.

It runs as a child process of whatever interpreter has moto (and this package), so the
Airflow environment can use it too, and so the emulator gets its own core while the producer
and stand-ins run in this process. `moto_launch` starts moto's own server after making its
Kinesis shard linear-time (see there why).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import boto3
from botocore.config import Config

# moto accepts any credentials; fixed fake ones keep boto3 from looking for real ones.
_FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
_START_TIMEOUT_S = 30.0


class EmulatorError(RuntimeError):
    """The local AWS emulator could not start (port in use, moto missing, crashed)."""


@dataclass(frozen=True, slots=True)
class MotoServer:
    endpoint_url: str
    region: str
    process: subprocess.Popen[bytes]

    def client(self, service: str) -> Any:
        return aws_client(service, self.endpoint_url, self.region)


def aws_client(service: str, endpoint_url: str, region: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        # Validation of 500-record requests costs ~15 % of the producer's time locally; the
        # emulator validates requests itself.
        config=Config(
            retries={"max_attempts": 2, "mode": "standard"},
            max_pool_connections=4,
            parameter_validation=False,
        ),
        **_FAKE_CREDENTIALS,
    )


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            raise EmulatorError(
                f"port {host}:{port} is already in use: stop what holds it, or set "
                "local.moto_port to 0 (any free port)"
            ) from None


@contextlib.contextmanager
def moto_server(host: str, port: int, region: str) -> Iterator[MotoServer]:
    """Run moto's server on host:port (0 = a free port) for the duration of the block."""
    port = port or _free_port(host)
    _check_port_free(host, port)
    endpoint_url = f"http://{host}:{port}"
    # moto logs every request to stderr: a pipe nobody drains fills up and blocks the
    # server, so the log goes to a temporary file, read only to explain a failed start.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "podcast_analytics.local.emulator.moto_launch",
            "-H",
            host,
            "-p",
            str(port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait_until_ready(endpoint_url, process, log)
        yield MotoServer(endpoint_url, region, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_ready(endpoint_url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            stderr = log.read().decode("utf-8", "replace")
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            raise EmulatorError(f"moto's server exited at start: {last}")
        try:
            with urllib.request.urlopen(f"{endpoint_url}/moto-api/", timeout=1):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise EmulatorError(f"moto's server did not answer on {endpoint_url} within 30 s")
