"""The ingester's service in docker-compose.yml, checked against the code (Docker itself cannot run here)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.main import get_command

from streams.cli import app as cli_app
from streams.ingest.feeds import read_source_list
from streams.settings import PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SERVICE = COMPOSE["services"]["ingest"]


def test_ingest_service_runs_the_ingest_command_on_a_mounted_source_file() -> None:
    command = SERVICE["command"]
    assert command[0] == "ingest" and command[0] in get_command(cli_app).commands  # type: ignore[attr-defined]
    assert "--once" not in command
    assert float(command[command.index("--interval") + 1]) >= 60
    mounts = {
        target.removesuffix(":ro"): source for source, _, target in (v.partition(":") for v in SERVICE["volumes"])
    }
    source_file = command[-1]
    assert source_file in mounts
    assert read_source_list(PROJECT_ROOT / Path(mounts[source_file])) == []  # examples only, commented out
    assert SERVICE["build"] == "." and "kafka" in SERVICE["depends_on"]


def test_ingest_environment_names_are_settings_and_match_the_worker() -> None:
    env = SERVICE["environment"]
    fields = {name.upper() for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    settings = Settings(**{key.lower(): value for key, value in env.items()})
    worker = COMPOSE["services"]["worker"]["environment"]
    for shared in ("KAFKA_BOOTSTRAP_SERVERS", "TOPIC_ARTICLES", "TOPIC_PARTITIONS"):
        assert env[shared] == worker[shared]
    assert settings.topic_ingest_seen == Settings().topic_ingest_seen


def test_metrics_port_is_published_on_loopback_only_and_health_checked() -> None:
    port = int(SERVICE["environment"]["INGEST_METRICS_PORT"])
    assert SERVICE["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert SERVICE["environment"]["INGEST_METRICS_HOST"] == "0.0.0.0"  # inside the container
    assert f"127.0.0.1:{port}/metrics" in " ".join(SERVICE["healthcheck"]["test"])
