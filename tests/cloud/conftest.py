from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from podcast_analytics.config import Settings, load_settings


class FakeCursor:
    """A DB-API cursor that answers each statement from a script of (matcher, rows)."""

    def __init__(self, connection: FakeConnection) -> None:
        self.connection = connection
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: tuple[Any, ...] | None = None) -> None:
        self.connection.executed.append((sql, params))
        self._rows = self.connection.answer(sql, params)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def close(self) -> None:
        self.connection.closed_cursors += 1


class FakeConnection:
    def __init__(self, answer: Callable[[str, Any], list[tuple[Any, ...]]]) -> None:
        self.answer = answer
        self.executed: list[tuple[str, Any]] = []
        self.closed_cursors = 0

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)


def pipe_status_row(state: str, pending: int) -> list[tuple[Any, ...]]:
    return [(json.dumps({"executionState": state, "pendingFileCount": pending}),)]


@pytest.fixture(scope="session")
def dev_settings() -> Settings:
    return load_settings("dev")


@pytest.fixture
def s3_with_bucket(dev_settings, monkeypatch) -> Iterator[Callable[[str], Any]]:
    """moto's in-process S3 for one test: `s3_with_bucket(name)` makes the bucket in the
    environment's region and returns the client."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    region = dev_settings.aws.region
    with mock_aws():
        client = boto3.client("s3", region_name=region)

        def with_bucket(name: str) -> Any:
            client.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": region}
            )
            return client

        yield with_bucket
