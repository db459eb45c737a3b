"""The README shows the current architecture diagram, and the two commands first."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_embeds_the_diagram_file() -> None:
    readme = (ROOT / "README.md").read_text()
    diagram = (ROOT / "diagrams" / "architecture.mmd").read_text()
    assert f"```mermaid\n{diagram}```" in readme


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0].startswith("make pipeline")
    assert first_block.splitlines()[1].startswith("make test")
