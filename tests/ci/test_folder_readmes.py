"""Every top-level folder of the repository tells a newcomer what it holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_top_level_folder_has_a_readme() -> None:
    # Tracked folders only: installs (.venv, node_modules) and build outputs are not ours.
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    folders = sorted({path.split("/", 1)[0] for path in tracked if "/" in path})
    missing = [folder for folder in folders if not (ROOT / folder / "README.md").is_file()]
    assert folders, "git ls-files listed nothing"
    assert missing == []
