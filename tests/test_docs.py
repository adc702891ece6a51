"""The README documents what the code has: every setting, every command, every schema."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from streams.cli import app
from streams.events import EVENT_TYPES
from streams.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text()


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_every_setting_is_documented() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_every_command_is_documented() -> None:
    commands = get_command(app).commands  # type: ignore[attr-defined]
    missing = [name for name in commands if f"streams {name}" not in README]
    assert not missing


def test_every_schema_is_linked() -> None:
    for event_type in EVENT_TYPES:
        assert f"schemas/{event_type}.schema.json" in README
        assert (PROJECT_ROOT / "schemas" / f"{event_type}.schema.json").exists()


def test_the_module_map_matches_the_code() -> None:
    """Every module of the package is in the README's map, and every path the map names exists."""
    import re

    table = README.split("| module | what it holds |")[1].split("\n\n")[0]
    named = set(re.findall(r"`(streams/[\w/]+(?:\.py)?/?)`", table))
    assert all((PROJECT_ROOT / path).exists() for path in named), named

    def documented(path: Path) -> bool:
        # A module has a row of its own, or is named in its package's row (`streams/nlp/`: `quotes.py`...).
        module = str(path.relative_to(PROJECT_ROOT))
        package = f"{path.parent.relative_to(PROJECT_ROOT)}/"
        return module in named or (package in named and f"`{path.name}`" in table)

    modules = [path for path in (PROJECT_ROOT / "streams").rglob("*.py") if path.name != "__init__.py"]
    missing = sorted(str(path) for path in modules if not documented(path))
    assert not missing, f"modules missing from the README's map: {missing}"
