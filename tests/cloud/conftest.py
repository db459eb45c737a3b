from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

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
