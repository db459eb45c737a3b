"""Loading: read environments.yaml, merge defaults with one environment, check the shape."""

from __future__ import annotations

import copy
import dataclasses
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from podcast_analytics.config.checks import check_values
from podcast_analytics.config.facts import ENVIRONMENTS
from podcast_analytics.config.model import ConfigError, Settings
from podcast_analytics.config.names import derive_settings

DEFAULT_CONFIG_PATH = Path(__file__).with_name("environments.yaml")


def load_settings(
    environment: str,
    *,
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve one environment. Raises ConfigError listing every problem found."""
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            [f"unknown environment {environment!r}: choose one of {', '.join(ENVIRONMENTS)}"]
        )
    raw = _read_yaml(path or DEFAULT_CONFIG_PATH)
    merged = _merge(raw.get("defaults", {}), (raw.get("environments") or {}).get(environment, {}))
    if overrides:
        merged = _merge(merged, overrides)
    problems = _check_shape(merged, input_shape(), environment)
    project = raw.get("project")
    if not isinstance(project, str) or not re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", project):
        problems.append(f"project: {project!r} must be 3-32 lowercase letters, digits or hyphens")
    if problems:
        raise ConfigError(problems)
    settings = derive_settings(project, environment, merged)
    problems = check_values(settings)
    if problems:
        raise ConfigError(problems)
    return settings


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config ({exc.strerror})"]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise ConfigError([f"{path}:{line} is not valid YAML"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping at the top level"])
    unknown_envs = set(data.get("environments") or {}) - set(ENVIRONMENTS)
    if unknown_envs:
        raise ConfigError(
            [
                f"{path}: unknown environment(s) {', '.join(sorted(unknown_envs))}; "
                f"valid: {', '.join(ENVIRONMENTS)}"
            ]
        )
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# The expected shape of one merged environment, derived from the model's fields marked GIVEN:
# a leaf is the Python type its value must have. Unknown keys are reported too, because a
# typo would otherwise be silently ignored.
def input_shape(model: type[Any] = Settings) -> dict[str, Any]:
    """{yaml key: type or nested shape} for the fields of `model` marked GIVEN."""
    hints = typing.get_type_hints(model)
    shape: dict[str, Any] = {}
    for field in dataclasses.fields(model):
        if not field.metadata.get("given"):
            continue
        hint = hints[field.name]
        key = field.metadata.get("section") or field.name
        if dataclasses.is_dataclass(hint):
            shape[key] = input_shape(hint)  # type: ignore[arg-type]
        else:
            # YAML has lists where the model keeps immutable tuples.
            shape[key] = list if typing.get_origin(hint) is tuple else hint
    return shape


def _check_shape(values: Mapping[str, Any], schema: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for key in values.keys() - schema.keys():
        problems.append(f"{where}.{key}: unknown setting")
    for key, expected in schema.items():
        path = f"{where}.{key}"
        if key not in values:
            problems.append(f"{path}: missing")
            continue
        value = values[key]
        if isinstance(expected, dict):
            if isinstance(value, Mapping):
                problems.extend(_check_shape(value, expected, path))
            else:
                problems.append(f"{path}: expected a mapping, got {value!r}")
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f"{path}: expected {expected.__name__}, got {value!r}")
    return sorted(problems)
