"""Asset hashes (and so snapshots) ignore bytecode and local build output, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import aws_cdk as cdk
import pytest

from infra.aws.ingestion.delivery import NOT_DEPLOYED, RECORD_PROCESSOR_DIR
from infra.aws.mwaa.dag_bucket import BUILD_DEBRIS, DBT_LOCAL_OUTPUT


def fingerprint(path: Path, exclude: list[str]) -> str:
    return cdk.FileSystem.fingerprint(str(path), exclude=exclude)


@pytest.mark.parametrize(
    ("exclude", "debris"),
    [
        (NOT_DEPLOYED, ["__pycache__/handler.cpython-311.pyc"]),
        (BUILD_DEBRIS, ["__pycache__/handler.cpython-312.pyc", "stray.pyc"]),
        (BUILD_DEBRIS + DBT_LOCAL_OUTPUT, ["target/manifest.json", "logs/dbt.log", "x.duckdb"]),
    ],
)
def test_fingerprint_ignores_build_debris_but_not_code(
    tmp_path: Path, exclude: list[str], debris: list[str]
) -> None:
    source = tmp_path / "asset"
    shutil.copytree(RECORD_PROCESSOR_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
    clean = fingerprint(source, exclude)
    for relative in debris:
        junk = source / relative
        junk.parent.mkdir(parents=True, exist_ok=True)
        junk.write_bytes(b"\x00 changes on every run")
    assert fingerprint(source, exclude) == clean
    (source / "handler.py").write_text("# a real change\n", encoding="utf-8")
    assert fingerprint(source, exclude) != clean
