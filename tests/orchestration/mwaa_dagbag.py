"""Parse a DAG folder as MWAA would; write what the scheduler would see to OUT_JSON.

    orchestration/.venv/bin/python tests/orchestration/mwaa_dagbag.py \
        DAGS_DIR REQUIREMENTS_TXT OUT_JSON

Run with Airflow's interpreter and `PYTHONPATH=DAGS_DIR` (MWAA puts its DAG folder on
`sys.path`, so the package shipped in the folder is the one imported). Only distributions MWAA
would install are importable: the dependency closure of the requirements file (plus Airflow
itself). Anything else installed in this environment for local runs and tests (duckdb, moto,
pytest, ...) raises ModuleNotFoundError, as it would on MWAA. The closure is a subset of what
MWAA's image has, so the check can only be stricter than MWAA, never more lenient.
"""

from __future__ import annotations

import importlib.abc
import importlib.metadata
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

AIRFLOW = "apache-airflow"


def requirement_names(requirements_txt: Path) -> set[str]:
    """Distribution names a pip requirements file asks for (options and comments skipped)."""
    names = set()
    for line in requirements_txt.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        names.add(canonicalize_name(Requirement(line).name))
    return names


def dependency_closure(roots: Iterable[str]) -> set[str]:
    """The installed distributions `roots` pull in (markers evaluated, extras not followed)."""
    seen: set[str] = set()
    todo = [canonicalize_name(root) for root in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for spec in requires:
            try:
                requirement = Requirement(spec)
            except InvalidRequirement:
                continue
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(requirement.name))
    return seen


def modules_not_on_mwaa(allowed: set[str], shipped: set[str]) -> set[str]:
    """Top-level modules whose every providing distribution is outside `allowed`."""
    blocked = set()
    for module, dists in importlib.metadata.packages_distributions().items():
        if module in shipped or re.match(r"^_*editable", module):
            continue
        if not any(canonicalize_name(dist) in allowed for dist in dists):
            blocked.add(module)
    return blocked


class NotOnMwaa(importlib.abc.MetaPathFinder):
    def __init__(self, blocked: set[str]) -> None:
        self.blocked = blocked

    def find_spec(self, fullname, path, target=None):
        if fullname.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not installed on MWAA)")
        return None


def main(dags_dir: Path, requirements_txt: Path, out: Path) -> None:
    shipped = {path.stem if path.suffix == ".py" else path.name for path in dags_dir.iterdir()}
    allowed = dependency_closure(requirement_names(requirements_txt) | {AIRFLOW})
    blocked = modules_not_on_mwaa(allowed, shipped)
    sys.meta_path.insert(0, NotOnMwaa(blocked))
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="mwaa-dagbag-"))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags_dir)

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_dir))
    import podcast_analytics

    out.write_text(
        json.dumps(
            {
                "dag_ids": sorted(bag.dags),
                "import_errors": {
                    str(Path(file).relative_to(dags_dir)): error
                    for file, error in bag.import_errors.items()
                },
                "parsed_files": sorted(
                    str(Path(file).relative_to(dags_dir)) for file in bag.file_last_changed
                ),
                "package_file": podcast_analytics.__file__,
                "blocked": sorted(m for m in blocked if not m.startswith("_")),
            }
        )
    )


if __name__ == "__main__":
    main(*(Path(arg).resolve() for arg in sys.argv[1:4]))
