"""Shared, expensive fixtures for the dbt tests: one generated history, one built warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from podcast_analytics.config import load_settings
from tests.reference.marts import RawRow
from tests.transform.dbt_runner import DbtProject, DbtRun
from tests.transform.raw_rows import (
    catalog_table,
    generated_catalog,
    generated_history,
    load_raw_rows,
)


@dataclass(frozen=True, slots=True)
class BuiltWarehouse:
    database: Path
    rows: list[RawRow]
    catalog_rows: list[RawRow]
    project: DbtProject
    build: DbtRun


@pytest.fixture(scope="session")
def events_settings():
    return load_settings("local").events


@pytest.fixture(scope="session")
def history_rows() -> list[RawRow]:
    return generated_history()


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory, history_rows) -> BuiltWarehouse:
    work = tmp_path_factory.mktemp("dbt_local")
    # The file name matters: DuckDB names the catalog after it, and the source's database
    # comes from the shared config (`warehouse`).
    database = work / load_settings("local").local.duckdb_file
    load_raw_rows(database, history_rows)
    catalog_rows = generated_catalog()
    load_raw_rows(database, catalog_rows, catalog_table())
    project = DbtProject(work_dir=work, database=database)
    return BuiltWarehouse(database, history_rows, catalog_rows, project, project.build())
