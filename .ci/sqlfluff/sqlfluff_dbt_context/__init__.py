"""What dbt puts in a model's Jinja context, for sqlfluff's jinja templater, offline.

sqlfluff lints the dbt models as Snowflake SQL. Its dbt templater would need a live
Snowflake connection to compile; its plain jinja templater needs none, but knows only a few
dbt builtins (`ref`, `source`, `config`, a `var` that returns a placeholder). The models
here also use `adapter.dispatch` (the cross-database macros), `target`, `dbt.type_*`,
`exceptions` and real `vars`. This package supplies them, rendering every model the way
dbt-snowflake compiles it for the `dev` target:

- `adapter.dispatch('x')` picks `snowflake__x`, else `default__x` (dbt's own search order);
- `var(name)` reads the `vars` block of `transform/dbt_project.yml` (generated from the
  shared config by `make profiles`), so `shared_config[target.name]` has real values;
- `target` is the dev target: `type` snowflake;
- `adapter.get_relation` finds nothing and `flags.FULL_REFRESH` is false: a first build.

sqlfluff puts the top-level names of this package into the template context (the
`library_path` setting in the repository's `.sqlfluff`); names sqlfluff's dbt builtins
also define are taken from here.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.utils import missing

_DBT_PROJECT = Path(__file__).resolve().parents[3] / "transform" / "dbt_project.yml"
_ADAPTER_TYPE = "snowflake"

target = SimpleNamespace(name="dev", type=_ADAPTER_TYPE, schema="STAGING", database="ANALYTICS")


def _project_vars() -> dict[str, Any]:
    project = yaml.safe_load(_DBT_PROJECT.read_text(encoding="utf-8")) or {}
    return project.get("vars") or {}


_VARS = _project_vars()
_NO_DEFAULT = object()


def var(name: str, default: Any = _NO_DEFAULT) -> Any:
    if name in _VARS:
        return _VARS[name]
    if default is _NO_DEFAULT:
        raise KeyError(f"var {name!r} is not defined in {_DBT_PROJECT.name} and has no default")
    return default


class _Adapter:
    @pass_context
    def dispatch(
        self, context: Context, macro_name: str, macro_namespace: str | None = None
    ) -> Any:
        for prefix in (f"{_ADAPTER_TYPE}__", "default__"):
            macro = context.resolve_or_missing(prefix + macro_name)
            if macro is not missing:
                return macro
        raise LookupError(f"no {_ADAPTER_TYPE}__{macro_name} or default__{macro_name} macro")

    def get_relation(self, database: str, schema: str, identifier: str) -> None:
        """No relation exists offline: models render as on a first build."""
        return None


adapter = _Adapter()
# dbt's run flags: not a full refresh (sqlfluff's `is_incremental()` is false anyway).
flags = SimpleNamespace(FULL_REFRESH=False)

# dbt's cross-database type macros, as dbt-snowflake renders them.
dbt = SimpleNamespace(
    type_string=lambda: "varchar",
    type_bigint=lambda: "bigint",
    type_int=lambda: "integer",
    type_float=lambda: "float",
    type_numeric=lambda: "numeric(28,6)",
    type_boolean=lambda: "boolean",
    type_timestamp=lambda: "timestamp_ntz",
)


def _raise_compiler_error(message: str) -> None:
    raise RuntimeError(message)


exceptions = SimpleNamespace(raise_compiler_error=_raise_compiler_error)
