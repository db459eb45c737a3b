"""MWAA's requirements, the local Airflow lock and the config agree on versions."""

from __future__ import annotations

import re

from podcast_analytics.config import load_settings
from tests.orchestration.conftest import REPO

REQUIREMENTS = REPO / "orchestration" / "requirements.txt"
AIRFLOW_IN = REPO / "requirements" / "airflow.in"
AIRFLOW_LOCK = REPO / "requirements" / "airflow.lock"


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] not in "#- "]


def pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.\[\]-]+)==([^\s\\;]+)", text, flags=re.MULTILINE))


def name_of(requirement: str) -> str:
    return re.split(r"[=<>~\[ ;]", requirement, maxsplit=1)[0].lower()


def test_mwaa_constraints_match_the_configured_airflow_version():
    version = {load_settings(env).mwaa.airflow_version for env in ("dev", "prod")}
    (airflow_version,) = version
    text = REQUIREMENTS.read_text(encoding="utf-8")
    constraints = re.findall(r'^--constraint "([^"]+)"', text, flags=re.MULTILINE)
    # The constraints file of the Airflow version *and* the Python of MWAA's image for it
    # (config/facts.py MWAA_AIRFLOW_PYTHON), not a Python spelled here.
    assert constraints == [load_settings("dev").mwaa.constraints_url]
    assert constraints[0].endswith(f"constraints-{airflow_version}/constraints-3.12.txt")


def test_local_airflow_is_the_version_mwaa_runs():
    assert pins(AIRFLOW_LOCK.read_text(encoding="utf-8"))["apache-airflow"] == (
        load_settings("dev").mwaa.airflow_version
    )


def test_everything_mwaa_installs_is_in_the_local_lock_at_the_same_pin():
    mwaa = requirement_lines(REQUIREMENTS.read_text(encoding="utf-8"))
    local_input = {name_of(r): r for r in requirement_lines(AIRFLOW_IN.read_text("utf-8"))}
    locked = {name.lower(): v for name, v in pins(AIRFLOW_LOCK.read_text("utf-8")).items()}
    for requirement in mwaa:
        name = name_of(requirement)
        assert name in local_input, f"{name} is missing from requirements/airflow.in"
        assert name in locked, f"{name} is missing from requirements/airflow.lock"
        if "==" in requirement:
            assert requirement.split("==")[1] == locked[name], name


def test_the_lock_names_no_registry_host():
    assert not re.search(r"https?://", AIRFLOW_LOCK.read_text(encoding="utf-8"))


STARTUP = REPO / "orchestration" / "startup.sh"
DEV_LOCK = REPO / "requirements" / "dev.lock"
MWAA_AIRFLOW_HOME = "/usr/local/airflow"


def test_mwaa_startup_installs_the_locked_dbt_where_the_dag_looks_for_it():
    script = STARTUP.read_text(encoding="utf-8")
    installed = dict(re.findall(r'"(dbt-[a-z]+)==([^"]+)"', script))
    locked = pins(DEV_LOCK.read_text(encoding="utf-8"))
    assert installed == {name: locked[name] for name in ("dbt-core", "dbt-snowflake")}
    venv = re.search(r'DBT_VENV_PATH="\$\{AIRFLOW_HOME\}/([^"]+)"', script).group(1)
    for env in ("dev", "prod"):
        assert load_settings(env).mwaa.dbt_executable == f"{MWAA_AIRFLOW_HOME}/{venv}/bin/dbt"
