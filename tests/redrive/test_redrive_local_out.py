"""`make redrive ENV=local OUT=dir`: a local run's dead letters, kept in OUT/dead_letters/ by
the Firehose stand-in, are re-validated; what now passes goes into a replay file under
OUT/redrive/ (for `make pipeline INPUT=`), and the objects are settled as in the bucket."""

from __future__ import annotations

import gzip
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podcast_analytics import cli, redrive
from podcast_analytics.config import Settings
from podcast_analytics.config.facts import REPO_ROOT
from podcast_analytics.local import out_dir
from podcast_analytics.local.context import DEAD_LETTERS_DIR
from podcast_analytics.pipeline import sources
from tests.redrive.test_decode import error_line
from tests.redrive.test_redrive_moto import FAILING, PASSING, Env


def _redrive(out: Path, *extra: str) -> int:
    return cli.main(["redrive", "--env", "local", "--out", str(out), *extra])


@pytest.fixture
def out(moto_endpoint: str, settings: Settings, tmp_path: Path) -> Path:
    """OUT after a run: the stand-in's own dead letters, and one object whose records now
    pass (the Lambda could not be invoked then), both under OUT/dead_letters/."""
    from podcast_analytics.local.emulator.firehose import LocalFirehose
    from podcast_analytics.producer import KinesisProducer, OutgoingRecord

    env = Env(moto_endpoint, settings)
    out = tmp_path / "out"
    dead_letters = out / DEAD_LETTERS_DIR
    firehose = LocalFirehose(
        env.settings, env.kinesis, env.s3, batch_id="t", dead_letter_dir=dead_letters
    )
    with KinesisProducer(env.kinesis, env.settings.kinesis.stream_name, tmp_path / "spill") as p:
        p.send(OutgoingRecord(data=data, partition_key="u1") for data in FAILING)
    assert firehose.deliver(now=datetime(2026, 11, 25, 12, tzinfo=UTC)).dead_lettered == 2
    passing = dead_letters / env.errors / "processing-failed" / "20261125" / "lambda-down.gz"
    passing.write_bytes(
        gzip.compress(b"".join(error_line(d, "Lambda.InvokeAccessDenied") for d in PASSING))
    )
    return out


def test_the_dead_letters_in_out_are_found_and_what_passes_is_written_to_replay(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead_letters = out / DEAD_LETTERS_DIR
    before = sorted(p.relative_to(dead_letters) for p in dead_letters.rglob("*.gz"))
    assert len(before) == 2

    assert _redrive(out) == 0

    stdout = capsys.readouterr().out
    assert "re-drive (done): 2 error objects, 5 records, 3 re-sent, 2 not re-sent" in stdout
    (replay,) = (out / redrive.REDRIVE_DIR).glob("redriven-*.ndjson")
    assert f"make pipeline INPUT={replay} OUT={out}" in stdout
    assert replay.read_bytes().splitlines() == PASSING
    sources.check_input(replay)  # a valid INPUT for the replay
    # Fully re-sent: deleted; the stand-in's own dead letters still fail: kept as they were.
    after = sorted(p.relative_to(dead_letters) for p in dead_letters.rglob("*.gz"))
    assert [p.name for p in after] == [p.name for p in before if p.name != "lambda-down.gz"]

    assert _redrive(out) == 0  # a second run re-sends nothing
    assert "0 re-sent, 2 not re-sent" in capsys.readouterr().out
    assert list((out / redrive.REDRIVE_DIR).glob("redriven-*.ndjson")) == [replay]


def test_a_dry_run_changes_nothing(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {p: p.read_bytes() for p in (out / DEAD_LETTERS_DIR).rglob("*") if p.is_file()}
    assert _redrive(out, "--dry-run") == 0
    assert "3 would be re-sent" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in files} == files
    assert not (out / redrive.REDRIVE_DIR).exists()


def test_an_out_without_dead_letters_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _redrive(tmp_path) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"redrive error: no dead letters in OUT {tmp_path}")


def test_an_out_in_use_by_a_run_is_refused(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with out_dir.exclusive(out):
        assert _redrive(out) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "is in use by another run" in err[0]


def test_make_passes_out_through() -> None:
    dry = subprocess.run(
        ["make", "-n", "redrive", "ENV=local", "OUT=/tmp/x"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "redrive --env local --out /tmp/x" in " ".join(dry.stdout.replace('"', "").split())
