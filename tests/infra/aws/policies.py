"""Small readers for IAM policy documents in synthesized templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Statements of an AWS::IAM::Policy, a role's inline policies or a bucket policy."""
    props = resource["Properties"]
    if "PolicyDocument" in props:
        yield from props["PolicyDocument"]["Statement"]
    for inline in props.get("Policies", []):
        yield from inline["PolicyDocument"]["Statement"]


def attached_policies(template: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    """AWS::IAM::Policy resources attached to a role of the same template."""
    return [
        resource
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role_logical_id} in resource["Properties"].get("Roles", [])
    ]


def role_statements(template: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    found = list(statements(template["Resources"][role_logical_id]))
    for policy in attached_policies(template, role_logical_id):
        found.extend(statements(policy))
    return found


def logical_id_of(template: dict[str, Any], resource_type: str, **properties: Any) -> str:
    """The one resource of `resource_type` whose properties include `properties`."""
    (logical_id,) = (
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
        and all(resource["Properties"].get(k) == v for k, v in properties.items())
    )
    return logical_id
