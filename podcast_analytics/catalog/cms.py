"""The CMS export: where each episode's ad breaks sit, keyed by the item's RSS guid.

Format (JSON, one file for the whole network; the generator writes one, docs/catalog.md
describes it):

    {"episodes": [{"guid": "pod000-ep0003",
                   "ad_breaks": [{"start_s": 0, "end_s": 30, "kind": "pre"}, ...]}, ...]}

The breaks are passed through as given: the contract (not this reader) decides whether they
are valid, so a bad break quarantines its record with a reason instead of vanishing here.
An entry without a string guid, or a guid listed twice, is a problem of the export: counted
by reason, never silently merged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class CmsExportError(ValueError):
    """The export as a whole is unreadable (not JSON, not the documented shape)."""


@dataclass(frozen=True)
class CmsExport:
    ad_breaks: dict[str, Any] = field(default_factory=dict)  # guid -> the breaks as given
    problems: dict[str, int] = field(default_factory=dict)  # reason -> entries

    @property
    def entries(self) -> int:
        return len(self.ad_breaks) + sum(self.problems.values())


def read_cms_export(content: bytes) -> CmsExport:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise CmsExportError(f"the CMS export is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("episodes"), list):
        raise CmsExportError('the CMS export is not {"episodes": [...]}')
    breaks: dict[str, Any] = {}
    problems: dict[str, int] = {}
    for entry in data["episodes"]:
        guid = entry.get("guid") if isinstance(entry, dict) else None
        if not isinstance(guid, str) or not guid.strip():
            reason = "cms:no_guid"
        elif guid.strip() in breaks:
            reason = "cms:duplicate_guid"
        else:
            breaks[guid.strip()] = entry.get("ad_breaks")
            continue
        problems[reason] = problems.get(reason, 0) + 1
    return CmsExport(breaks, dict(sorted(problems.items())))
