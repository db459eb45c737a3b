"""cfn-lint on every synthesized template: no errors (its warnings are CDK-internal)."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import lint

from tests.infra.aws.synth import DEPLOY_ENVIRONMENTS, STACK_IDS, SynthesizedApp


def lint_errors(template: dict[str, object], region: str) -> list[str]:
    matches = lint(json.dumps(template), regions=[region])
    return [str(match) for match in matches if match.rule.severity == "error"]


@pytest.mark.parametrize("stack_id", STACK_IDS)
@pytest.mark.parametrize("environment", DEPLOY_ENVIRONMENTS)
def test_template_has_no_cfn_lint_errors(
    synthesized: dict[str, SynthesizedApp], environment: str, stack_id: str
) -> None:
    app = synthesized[environment]
    errors = lint_errors(app.template(stack_id), app.settings.aws.region)
    assert errors == [], "\n".join(errors)


def test_lint_reports_errors_in_a_broken_template() -> None:
    broken = {"Resources": {"Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"X": 1}}}}
    assert lint_errors(broken, "eu-west-1")
