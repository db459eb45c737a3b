"""Metric queries answered by dbt's semantic layer (MetricFlow) on the local warehouse.

The metrics are defined once, in `transform/models/3.marts/semantic/`; `dbt build` writes
them to `semantic_manifest.json`. MetricFlow turns a question (metrics, group-by items such as
`metric_time__week` or `podcast`, filters, order) into SQL over the marts; this module runs
that SQL on a DuckDB connection the caller already holds, so a report makes many queries with
one warehouse connection and exact DECIMAL values (MetricFlow's own executor would convert
them to floats). `make metrics Q="..."` is the command-line way in (`mf query`).

MetricFlow is imported on first use: it is part of the dbt tool group, not of the light
runtime package that the Airflow environment also imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from podcast_analytics.pipeline.errors import PipelineError

if TYPE_CHECKING:
    from metricflow.engine.metricflow_engine import MetricFlowEngine

SEMANTIC_MANIFEST = "semantic_manifest.json"


@dataclass(frozen=True)
class MetricResult:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class SemanticLayer:
    """One semantic manifest, queried on one DuckDB connection."""

    def __init__(self, manifest_path: Path, con: duckdb.DuckDBPyConnection) -> None:
        if not manifest_path.exists():
            raise PipelineError(f"no semantic manifest at {manifest_path}: run dbt first")
        self._engine = _engine(manifest_path)
        self._con = con

    def sql(
        self,
        metrics: Sequence[str],
        group_by: Sequence[str] = (),
        *,
        where: Sequence[str] = (),
        order_by: Sequence[str] = (),
        limit: int | None = None,
    ) -> str:
        """The SQL MetricFlow writes for this question (what `mf query --explain` prints)."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest
        from metricflow_semantics.errors.error_classes import MetricFlowException

        request = MetricFlowQueryRequest.create(
            metric_names=list(metrics),
            group_by_names=list(group_by) or None,
            where_constraints=list(where) or None,
            # Every group-by item last, so rows come in one deterministic order.
            order_by_names=[*order_by, *(g for g in group_by if g not in order_by)] or None,
            limit=limit,
        )
        try:
            return self._engine.explain(request).sql_statement.sql
        except MetricFlowException as exc:
            # A question the semantic layer cannot answer (unknown metric, dimension out of
            # reach): one line for the caller, which names the section or the command.
            raise ValueError(f"metric query failed: {str(exc).strip().splitlines()[0]}") from exc

    def query(
        self,
        metrics: Sequence[str],
        group_by: Sequence[str] = (),
        *,
        where: Sequence[str] = (),
        order_by: Sequence[str] = (),
        limit: int | None = None,
    ) -> MetricResult:
        """The answer, columns in the order asked: the group-by items, then the metrics.

        (MetricFlow orders its output by metric type, simple metrics before derived ones.)
        """
        cursor = self._con.execute(
            self.sql(metrics, group_by, where=where, order_by=order_by, limit=limit)
        )
        columns = [d[0] for d in cursor.description or ()]
        wanted = (*group_by, *metrics)
        missing = [name for name in wanted if name not in columns]
        if missing:
            raise ValueError(f"metric query answered without {', '.join(missing)}")
        positions = [columns.index(name) for name in wanted]
        rows = [tuple(row[i] for i in positions) for row in cursor.fetchall()]
        return MetricResult(wanted, rows)


def _engine(manifest_path: Path) -> MetricFlowEngine:
    from metricflow.engine.metricflow_engine import MetricFlowEngine
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    manifest = parse_manifest_from_dbt_generated_manifest(manifest_path.read_text("utf-8"))
    return MetricFlowEngine(SemanticManifestLookup(manifest), _ExplainOnlyDuckDbClient())


class _ExplainOnlyDuckDbClient:
    """The SqlClient MetricFlow needs to render DuckDB SQL; queries run on our connection.

    MetricFlow asks a client only for its engine type and SQL renderer when explaining, so
    running anything through this one is a programming error.
    """

    @property
    def sql_engine_type(self) -> Any:
        from metricflow.protocols.sql_client import SqlEngine

        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> Any:
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        return DuckDbSqlPlanRenderer()

    def query(self, stmt: str, sql_bind_parameter_set: Any = None) -> Any:
        raise NotImplementedError("queries run on the caller's DuckDB connection")

    execute = dry_run = query

    def close(self) -> None:
        return None

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"
