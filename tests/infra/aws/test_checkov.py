"""checkov's CloudFormation checks on every synthesized template, as `make test` runs them.

checkov lives in its own environment (`.venv-checkov`, from requirements/checkov.lock): it
pins a `packaging` that pytest 9 cannot use. Every finding is either fixed in the stacks or
acknowledged on the resource concerned (`Metadata.checkov.skip`, written by
`infra.aws.nag.checkov_skip`) with its reason, as cdk-nag findings are.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.aws.synth import ROOT, SynthesizedApp

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
MIN_REASON = 20  # characters: a reason, not a placeholder


def run_checkov(templates: list[Path]) -> list[dict[str, Any]]:
    """checkov's failed checks over `templates` (offline: no policy download)."""
    if not CHECKOV.is_file():
        pytest.fail(f"{CHECKOV} is missing: run `make setup` (it installs checkov's own venv)")
    command = [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "-o", "json"]
    for template in templates:
        command += ["-f", str(template)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):  # 1 = findings; anything else = checkov broke
        raise RuntimeError(f"checkov exited {result.returncode}: {result.stderr[-2000:]}")
    reports = json.loads(result.stdout)
    failed = []
    for report in reports if isinstance(reports, list) else [reports]:
        failed += report.get("results", {}).get("failed_checks", [])
    return failed


PROBE = "probe.template.json"
# An unencrypted log group without an acknowledgement: the finding a live gate reports.
PROBE_TEMPLATE = {
    "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}
}
PROBE_FINDING = "CKV_AWS_158"


@pytest.fixture(scope="module")
def findings(
    synthesized: dict[str, SynthesizedApp], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    """checkov once over every synthesized template and the probe (checkov's start-up is
    most of its time): the failed checks, by template file name."""
    templates = [
        template for app in synthesized.values() for template in app.outdir.glob("*.template.json")
    ]
    assert len(templates) == sum(len(app.templates) for app in synthesized.values())
    assert PROBE not in {template.name for template in templates}
    probe = tmp_path_factory.mktemp("checkov-probe") / PROBE
    probe.write_text(json.dumps(PROBE_TEMPLATE))
    by_file: dict[str, list[dict[str, Any]]] = {t.name: [] for t in [*templates, probe]}
    for finding in run_checkov([*templates, probe]):
        by_file[Path(finding["file_path"]).name].append(finding)
    return by_file


def test_synthesized_templates_pass_checkov(findings: dict[str, list[dict[str, Any]]]) -> None:
    failed = [
        f"{name} {f['resource']}: {f['check_id']} {f['check_name']}"
        for name, found in findings.items()
        if name != PROBE
        for f in found
    ]
    assert failed == []


def test_checkov_does_report_a_finding(findings: dict[str, list[dict[str, Any]]]) -> None:
    """The gate is live: the probe's unacknowledged, unencrypted log group fails."""
    assert PROBE_FINDING in {finding["check_id"] for finding in findings[PROBE]}


def test_every_checkov_acknowledgement_has_a_reason(app: SynthesizedApp) -> None:
    skips = [
        (stack_id, logical_id, skip)
        for stack_id, template in app.templates.items()
        for logical_id, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "no acknowledgements at all: is checkov_skip still writing metadata?"
    for stack_id, logical_id, skip in skips:
        assert skip["id"].startswith("CKV_"), (stack_id, logical_id, skip)
        assert len(skip.get("comment", "")) >= MIN_REASON, (stack_id, logical_id, skip)
