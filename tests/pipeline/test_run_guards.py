"""What can go wrong around a run is refused or named in one line, before work is wasted:
a second run into the same OUT, an OUT that cannot be used, a warehouse that cannot be
opened, too little disk, the emulator dying mid-run, an INPUT with no records.

Each case runs the real command line (in this process where that is enough, as a
subprocess where another process is part of the case): exit code 2, one line on stderr,
no traceback, and nothing ingested when the check comes first.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from podcast_analytics import cli
from podcast_analytics.config import load_settings
from podcast_analytics.config.facts import REPO_ROOT
from podcast_analytics.local import out_dir
from podcast_analytics.pipeline.children import CHILDREN_FILE
from podcast_analytics.pipeline.ledger import LEDGER_FILE

SETTINGS = load_settings("local")
TINY = ["--events", "200", "--days", "1"]
BIG = ["--events", "60k", "--days", "2"]  # an ingest of several seconds


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(["pipeline", *argv])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


def _subprocess(argv: list[str], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "podcast_analytics", "pipeline", *argv],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_second_run_into_the_same_out_is_refused_at_once(tmp_path: Path) -> None:
    with out_dir.exclusive(tmp_path):  # what a running pipeline holds
        began = time.monotonic()
        second = _subprocess([*TINY, "--out", str(tmp_path)])
        _, stderr = second.communicate(timeout=120)
        took = time.monotonic() - began
    assert second.returncode == 2
    assert stderr.strip().splitlines() == [
        f"error: OUT {tmp_path} is in use by another run (pid {os.getpid()}): wait for it to "
        "finish, or give this run another OUT"
    ]
    assert took < 30  # refused before starting anything (python start-up dominates)
    assert not (tmp_path / LEDGER_FILE).exists()


AIRFLOW_PYTHON = REPO_ROOT / "orchestration" / ".venv" / "bin" / "python"
IN_USE = (
    "OUT {out} is in use by another run (pid {pid}): wait for it to finish, "
    "or give this run another OUT"
)


@pytest.mark.parametrize(
    ("command", "prefix"),
    [
        ([sys.executable, "-m", "podcast_analytics", "bench"], "error: "),
        ([str(AIRFLOW_PYTHON), "orchestration/run_local.py"], "make pipeline-airflow: "),
    ],
    ids=["make bench", "make pipeline-airflow"],
)
def test_bench_and_the_airflow_run_hold_the_same_lock(
    tmp_path: Path, command: list[str], prefix: str
) -> None:
    with out_dir.exclusive(tmp_path):  # what a running `make pipeline` holds
        second = subprocess.run(
            [*command, *TINY, "--out", str(tmp_path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert second.returncode == 2, second.stderr
    assert second.stderr.strip().splitlines() == [
        prefix + IN_USE.format(out=tmp_path, pid=os.getpid())
    ]
    assert not (tmp_path / "bench").exists() and not (tmp_path / "airflow").exists()


def test_the_lock_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from podcast_analytics.local.out_dir import exclusive\n"
            "with exclusive(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    with out_dir.exclusive(tmp_path):
        pass  # the kernel dropped the dead holder's lock


def test_out_that_is_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.write_text("not a directory")
    code, err = _run([*TINY, "--out", str(out)], capsys)
    assert (code, err) == (2, [f"error: OUT {out} is not a directory"])


def test_out_that_cannot_be_created_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    out = Path("/proc/podcast-analytics-out")  # not writable, even for root
    code, err = _run([*TINY, "--out", str(out)], capsys)
    assert code == 2 and len(err) == 1
    assert err[0].startswith(f"error: OUT {out} is not writable: ")


def test_a_corrupt_warehouse_is_named_before_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / SETTINGS.local.duckdb_file
    warehouse.write_bytes(os.urandom(64 * 1024))
    code, err = _run([*TINY, "--out", str(tmp_path)], capsys)
    assert code == 2 and len(err) == 1
    assert f"{warehouse} is not a DuckDB database" in err[0]
    assert not (tmp_path / LEDGER_FILE).exists()  # nothing was ingested


def test_a_warehouse_held_by_another_process_is_named_before_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / SETTINGS.local.duckdb_file
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        code, err = _run([*TINY, "--out", str(tmp_path)], capsys)
    finally:
        holder.kill()
        holder.wait()
    assert code == 2 and len(err) == 1
    assert f"the warehouse {warehouse} is open in another process (pid {holder.pid})" in err[0]
    assert not (tmp_path / LEDGER_FILE).exists()


def test_too_little_free_disk_is_refused_before_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    free_mb = out_dir.free_mb(tmp_path)
    needy = dataclasses.replace(
        SETTINGS, local=dataclasses.replace(SETTINGS.local, min_free_disk_mb=free_mb + 10_000)
    )
    monkeypatch.setattr(cli, "load_settings", lambda _env: needy)
    code, err = _run([*TINY, "--out", str(tmp_path)], capsys)
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: only ") and "(local.min_free_disk_mb)" in err[0]
    assert not (tmp_path / LEDGER_FILE).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "has no records: it is empty"),
        (bytes(range(256)) * 200, "has no records: no line is a JSON object"),
        (b"[1]\nnot json\n\n", "has no records: no line is a JSON object"),
    ],
)
def test_an_input_with_no_records_is_one_line_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(content)
    began = time.monotonic()
    code, err = _run(["--input", str(path), "--out", str(tmp_path / "out")], capsys)
    assert (code, len(err)) == (2, 1)
    assert err[0] == f"error: INPUT {path} {message}" or message in err[0]
    assert time.monotonic() - began < 5
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_emulator_dying_mid_run_is_named(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    out = tmp_path / "out"
    with log.open("w") as stdout:
        run = subprocess.Popen(
            [sys.executable, "-m", "podcast_analytics", "pipeline", *BIG, "--out", str(out)],
            cwd=REPO_ROOT,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while "[1/8] ingest" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        children = json.loads((out / CHILDREN_FILE).read_text())
        (moto,) = (int(p) for p, c in children.items() if "moto_launch" in " ".join(c["command"]))
        time.sleep(1)  # well into the ingest (60k events take several seconds)
        os.kill(moto, signal.SIGKILL)
        killed_at = time.monotonic()
        _, stderr = run.communicate(timeout=300)
    assert time.monotonic() - killed_at < 30  # noticed at once, not after every retry
    assert run.returncode == 2
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        "error: the local AWS emulator (moto's server) died during ingest (exit code -9); run again"
    ]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system (tmpfs): a real ENOSPC mid-run. Mounting needs root, which the
    project's machines and CI have; elsewhere the test says so and is skipped."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.slow
def test_a_disk_filling_up_mid_run_is_named(
    small_disk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The preflight would refuse a 1 MB disk; with its floor at 0 the run starts and fills it.
    reckless = dataclasses.replace(
        SETTINGS, local=dataclasses.replace(SETTINGS.local, min_free_disk_mb=0)
    )
    monkeypatch.setattr(cli, "load_settings", lambda _env: reckless)
    out = small_disk / "out"
    code, err = _run(["--events", "3k", "--days", "1", "--out", str(out)], capsys)
    assert code == 2 and len(err) == 1
    assert f"the disk under OUT {out} is full" in err[0]
    assert not (out / "reconciliation.json").exists()
