"""How the project runs dbt: which executable, and with which environment.

dbt lives in the project's virtualenv, beside this interpreter, and never in Airflow's
(`PODCAST_DBT_EXECUTABLE` points elsewhere when needed). Both the local pipeline's
`dbt build` and `make manifest`'s `dbt parse` start dbt through here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from podcast_analytics.pipeline.errors import PipelineError

DBT_EXECUTABLE_VARIABLE = "PODCAST_DBT_EXECUTABLE"


def dbt_executable(explicit: str | None = None) -> str:
    candidate = (
        explicit
        or os.environ.get(DBT_EXECUTABLE_VARIABLE)
        or str(Path(sys.executable).parent / "dbt")
    )
    if not Path(candidate).is_file():
        raise PipelineError(
            f"dbt not found at {candidate}: run `make setup`, or set {DBT_EXECUTABLE_VARIABLE}"
        )
    return candidate


def dbt_environment(**overrides: str) -> dict[str, str]:
    """This process's environment for a dbt subprocess, plus `overrides`."""
    return {
        **os.environ,
        # No usage pings from local or CI runs (they would only time out offline).
        "DBT_SEND_ANONYMOUS_USAGE_STATS": os.environ.get("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
        **overrides,
    }
