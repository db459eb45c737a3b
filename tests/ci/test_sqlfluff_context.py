"""sqlfluff's stand-in dbt context renders models as dbt-snowflake compiles them for dev."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQLFLUFF = Path(sys.executable).parent / "sqlfluff"
MACROS = """
{% macro json_text(record, path) -%}
    {{ return(adapter.dispatch('json_text')(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_text(record, path) -%}
    json_extract_string({{ record }}, '$.{{ path }}')
{%- endmacro %}
{% macro default__json_text(record, path) -%}
    get_path({{ record }}, '{{ path }}')::varchar
{%- endmacro %}
{% macro lookback() -%}
    {{ return(var('shared_config')[target.name]['late_arrival_lookback_days']) }}
{%- endmacro %}
"""
MODEL = """select
    {{ json_text('record', 'event_id') }} as event_id,
    {{ lookback() }} as lookback_days,
    cast(null as {{ dbt.type_timestamp() }}) as ts
from {{ source('events', 'raw_events') }}
"""


def _render(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A copy of the repository's .sqlfluff and context package, beside made-up macros, so
    # the test checks the mechanism rather than whatever the dbt models say today.
    (tmp_path / "transform" / "macros").mkdir(parents=True)
    (tmp_path / "transform" / "models").mkdir()
    (tmp_path / "transform" / "macros" / "m.sql").write_text(MACROS)
    (tmp_path / "transform" / "models" / "m.sql").write_text(MODEL)
    (tmp_path / "transform" / "dbt_project.yml").write_text(
        "vars:\n  shared_config:\n    dev:\n      late_arrival_lookback_days: 3\n"
    )
    shutil.copy(ROOT / ".sqlfluff", tmp_path / ".sqlfluff")
    shutil.copytree(ROOT / ".ci" / "sqlfluff", tmp_path / ".ci" / "sqlfluff")
    return subprocess.run(
        [str(SQLFLUFF), "render", "transform/models/m.sql"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_models_render_with_the_snowflake_macros_and_real_vars(tmp_path: Path) -> None:
    result = _render(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rendered = result.stdout
    assert "get_path(record, 'event_id')::varchar as event_id" in rendered  # not duckdb's
    assert "3 as lookback_days" in rendered  # from dbt_project.yml vars, not a placeholder
    assert "cast(null as timestamp_ntz) as ts" in rendered
