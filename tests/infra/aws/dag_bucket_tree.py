"""What the DAG bucket receives, rebuilt from a synthesized cloud assembly.

Each `Custom::CDKBucketDeployment` into the bucket copies its source assets (staged in the
assembly directory, CDK's own excludes already applied) under its key prefix, skipping keys
that match its `Exclude` patterns (`aws s3 sync --exclude`, relative to the source). Nothing
here re-states the deployment's layout: it is read from the template.
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path
from typing import Any

DEPLOYMENT_TYPE = "Custom::CDKBucketDeployment"


def deployed_objects(outdir: Path, template: dict[str, Any], bucket_name: str) -> dict[str, Path]:
    """Object key -> the local file that becomes it, for every deployment into `bucket_name`."""
    objects: dict[str, Path] = {}
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] != DEPLOYMENT_TYPE or props["DestinationBucketName"] != bucket_name:
            continue
        prefix = props.get("DestinationBucketKeyPrefix", "")
        excludes = props.get("Exclude", [])
        for zip_key in props["SourceObjectKeys"]:
            source = outdir / f"asset.{zip_key.removesuffix('.zip')}"
            if not source.is_dir():
                raise FileNotFoundError(f"{source}: expected a staged directory asset")
            for file in sorted(p for p in source.rglob("*") if p.is_file()):
                relative = file.relative_to(source).as_posix()
                if not any(fnmatch.fnmatchcase(relative, pattern) for pattern in excludes):
                    objects[f"{prefix}{relative}"] = file
    return objects


def materialize(objects: dict[str, Path], destination: Path, key_prefix: str = "") -> Path:
    """Write the objects under `key_prefix` to `destination` (as MWAA syncs its DAG folder)."""
    for key, source in objects.items():
        if key.startswith(key_prefix):
            target = destination / key.removeprefix(key_prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return destination
