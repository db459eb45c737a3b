"""Bad input to `make pipeline` ends as one line and a non-zero exit, emulator stopped."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest

from podcast_analytics import cli
from podcast_analytics.config import load_settings


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(argv)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "/no/such/events.ndjson"], "INPUT /no/such/events.ndjson does not exist"),
        (["--events", "lots"], "EVENTS must be a positive whole number"),
        (["--events", "0"], "EVENTS must be a positive whole number"),
        (["--days", "-3"], "DAYS must be a positive whole number"),
        (["--seed", "x"], "SEED must be a whole number"),
        (["--start", "yesterday"], "START must be a date"),
        (["--catalog", "/no/such/catalog.ndjson"], "CATALOG /no/such/catalog.ndjson does not"),
    ],
)
def test_bad_arguments_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = _run(["pipeline", "--out", str(tmp_path), *argv], capsys)
    assert code == 2
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "reconciliation.json").exists()


def test_unreadable_gzip_input_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "events.ndjson.gz"
    bad.write_bytes(b"this is not gzip")
    code, err = _run(["pipeline", "--out", str(tmp_path / "out"), "--input", str(bad)], capsys)
    assert code == 2
    assert len(err) == 1 and "cannot be read" in err[0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("catalog.ndjson.gz", b"this is not gzip", "cannot be read"),
        ("catalog.ndjson", b"\n{broken\n", "has no records"),
    ],
)
def test_an_unusable_catalog_is_one_line(
    name: str, content: bytes, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    code, err = _run(["pipeline", "--out", str(tmp_path / "out"), "--catalog", str(bad)], capsys)
    assert code == 2
    assert len(err) == 1 and message in err[0] and err[0].count("CATALOG") == 1
    assert not (tmp_path / "out").exists()  # refused before anything started


def test_a_port_in_use_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings("local")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((settings.local.host, 0))
        holder.listen()
        port = holder.getsockname()[1]
        busy = dataclasses.replace(
            settings, local=dataclasses.replace(settings.local, moto_port=port)
        )
        monkeypatch.setattr(cli, "load_settings", lambda _env: busy)
        code, err = _run(["pipeline", "--out", str(tmp_path), "--events", "10"], capsys)
    assert code == 2
    assert len(err) == 1 and f"port {settings.local.host}:{port} is already in use" in err[0]


def test_a_failed_step_stops_the_emulator_and_presents_no_results(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podcast_analytics import local
    from podcast_analytics.pipeline import PipelineError
    from podcast_analytics.pipeline.reconciliation import RECONCILIATION_FILE

    endpoints: list[str] = []
    stale = tmp_path / RECONCILIATION_FILE
    stale.write_text("{}")  # an older run's result must not survive a failed run

    def failing_load(ctx: local.LocalContext) -> dict[str, object]:
        endpoints.append(ctx.endpoint_url)
        raise PipelineError("the loader broke")

    monkeypatch.setattr(local, "load", failing_load)
    code, err = _run(["pipeline", "--out", str(tmp_path), "--events", "200", "--days", "1"], capsys)
    assert code == 2 and err == ["error: the loader broke"]
    assert not stale.exists()
    host_port = endpoints[0].removeprefix("http://").split(":")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        assert probe.connect_ex((host_port[0], int(host_port[1]))) != 0  # nothing listens
