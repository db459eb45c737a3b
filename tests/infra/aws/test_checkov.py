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


def test_synthesized_templates_pass_checkov(synthesized: dict[str, SynthesizedApp]) -> None:
    templates = [
        template for app in synthesized.values() for template in app.outdir.glob("*.template.json")
    ]
    assert len(templates) == sum(len(app.templates) for app in synthesized.values())
    findings = [
        f"{Path(f['file_path']).name} {f['resource']}: {f['check_id']} {f['check_name']}"
        for f in run_checkov(templates)
    ]
    assert findings == []


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


def test_checkov_does_report_a_finding(tmp_path: Path) -> None:
    """The gate is live: an unencrypted log group without an acknowledgement fails."""
    template = tmp_path / "probe.template.json"
    template.write_text(
        json.dumps(
            {
                "Resources": {
                    "Logs": {
                        "Type": "AWS::Logs::LogGroup",
                        "Properties": {"RetentionInDays": 7},
                    }
                }
            }
        )
    )
    assert "CKV_AWS_158" in {finding["check_id"] for finding in run_checkov([template])}
