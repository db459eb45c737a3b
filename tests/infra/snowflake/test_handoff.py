"""Stack outputs -> the config's hand-off block, checked by the config's own validation."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from infra.snowflake.handoff import main
from podcast_analytics.config import load_settings
from tests.infra.snowflake.harness import StackRun


def run_main(monkeypatch: pytest.MonkeyPatch, stdin: str, env: str = "dev") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--env", env])


def test_program_outputs_become_a_valid_handoff(
    run: StackRun, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(monkeypatch, json.dumps(run.outputs), run.stack) == 0
    block = yaml.safe_load(capsys.readouterr().out)
    handoff = load_settings(run.stack, overrides=block).snowflake.handoff
    assert handoff.integration_iam_user_arn == run.outputs["integration_iam_user_arn"]
    assert handoff.integration_external_id == run.outputs["integration_external_id"]
    assert handoff.pipe_notification_channel == run.outputs["pipe_notification_channel"]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("not json", "stdin is not JSON"),
        ("[]", "expected the JSON object"),
        ("{}", "stack outputs lack integration_iam_user_arn"),
        (
            json.dumps(
                {
                    "integration_iam_user_arn": "arn:aws:iam::123456789012:user/x",
                    "integration_external_id": "ID",
                    "pipe_notification_channel": "not-an-arn",
                }
            ),
            "pipe_notification_channel: must be empty or an SQS queue ARN",
        ),
    ],
)
def test_bad_outputs_are_one_line_and_exit_2(
    stdin: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_main(monkeypatch, stdin) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
