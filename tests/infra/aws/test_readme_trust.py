"""infra/README.md describes the trust the code sets, not an older design."""

from __future__ import annotations

from tests.infra.aws.synth import ROOT, SynthesizedApp

README = ROOT / "infra" / "README.md"
SUB = "token.actions.githubusercontent.com:sub"


def _subjects(app: SynthesizedApp) -> set[str]:
    return {
        statement["Condition"]["StringEquals"][SUB]
        for role in app.resources("CiAccess", "AWS::IAM::Role").values()
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    }


def test_readme_states_the_ci_subjects_the_roles_trust(app: SynthesizedApp) -> None:
    text = README.read_text(encoding="utf-8")
    repository = app.settings.access.github_repository
    for subject in _subjects(app):
        # The README writes the subject with placeholders for repository and environment.
        generic = subject.replace(repository, "<ci.github_repository>").replace(
            f":environment:{app.settings.environment}", ":environment:<env>"
        )
        assert f"`sub` = `{generic}`" in text, generic
    for stale in ("refs/heads/main", "refs/tags/v*", "placeholder external id `pending"):
        assert stale not in text


def test_readme_states_the_snowflake_roles_deny_all_trust_before_the_handoff(
    app: SynthesizedApp,
) -> None:
    (role,) = app.resources("SnowflakeAccess", "AWS::IAM::Role").values()
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert "a single `Deny` of `sts:AssumeRole` to everyone" in README.read_text(encoding="utf-8")
