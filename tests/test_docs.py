"""The README documents what the code has: every setting, every command, every schema."""

from __future__ import annotations

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
