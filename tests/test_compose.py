"""docker-compose.yml and the Dockerfile, checked against the code (Docker itself cannot run here)."""

from __future__ import annotations

import re

import pytest
import yaml
from typer.main import get_command

from streams.broker import kafka_version
from streams.cli import app as cli_app
from streams.settings import LOGICAL_TOPICS, PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()


def test_kafka_image_is_the_local_broker_version() -> None:
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{kafka_version()}"


def test_kafka_runs_single_node_kraft_with_internal_topics_at_replication_one() -> None:
    env = COMPOSE["services"]["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
    ):
        assert env[key] == "1"


def test_worker_is_built_from_the_dockerfile_and_runs_the_worker_command() -> None:
    worker = COMPOSE["services"]["worker"]
    assert worker["build"] == "."
    command = worker["command"]
    assert command == ["worker"]
    assert re.search(r'ENTRYPOINT \["streams"\]', DOCKERFILE)
    assert command[0] in get_command(cli_app).commands  # type: ignore[attr-defined]
    assert "kafka" in worker["depends_on"]


def test_worker_environment_names_are_settings_and_values_parse() -> None:
    env = COMPOSE["services"]["worker"]["environment"]
    fields = {name.upper() for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    settings = Settings(**{key.lower(): value for key, value in env.items()})
    host, port = settings.kafka_bootstrap_servers.split(":")
    kafka_env = COMPOSE["services"]["kafka"]["environment"]
    assert f"{host}:{port}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    assert settings.worker_web_port == int(COMPOSE["services"]["worker"]["ports"][0].split(":")[1])


@pytest.mark.parametrize("logical", LOGICAL_TOPICS)
def test_compose_topics_match_the_defaults(logical: str) -> None:
    env = COMPOSE["services"]["worker"]["environment"]
    assert env[f"TOPIC_{logical.upper()}"] == Settings().topic(logical)


def test_container_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "useradd" in DOCKERFILE
