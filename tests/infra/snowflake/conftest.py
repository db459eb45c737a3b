"""One mocked run of the Pulumi program per stack, shared by every test in this folder."""

from __future__ import annotations

import pytest

from podcast_analytics.config import Settings, load_settings
from tests.infra.snowflake.harness import StackRun, run_stack

STACKS = ("dev", "prod")


@pytest.fixture(scope="session")
def stack_runs() -> dict[str, StackRun]:
    return {stack: run_stack(stack) for stack in STACKS}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def run(stack_runs: dict[str, StackRun], stack: str) -> StackRun:
    return stack_runs[stack]


@pytest.fixture
def settings(stack: str) -> Settings:
    return load_settings(stack)
