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
    assert settings.worker_web_port == int(COMPOSE["services"]["worker"]["ports"][0].split(":")[-1])


@pytest.mark.parametrize("logical", LOGICAL_TOPICS)
def test_compose_topics_match_the_defaults(logical: str) -> None:
    env = COMPOSE["services"]["worker"]["environment"]
    assert env[f"TOPIC_{logical.upper()}"] == Settings().topic(logical)


def test_container_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "useradd" in DOCKERFILE


def published_ports() -> list[tuple[str, str, str]]:
    """(service, host ip, published port) of every port of every service, in either of compose's syntaxes."""
    found = []
    for name, service in COMPOSE["services"].items():
        for port in service.get("ports", ()):
            if isinstance(port, dict):  # long syntax
                found.append((name, port.get("host_ip", ""), str(port["published"])))
            else:  # "[host_ip:]published:target"; without a host ip, compose binds every interface
                parts = str(port).rsplit(":", 2)
                found.append((name, parts[0] if len(parts) == 3 else "", parts[-2] if len(parts) > 1 else ""))
    return found


def test_every_published_port_listens_on_loopback_only() -> None:
    """Kafka's PLAINTEXT listener and the API have no authentication: nothing on the host's other interfaces."""
    ports = published_ports()
    assert {name for name, _, _ in ports} == {"kafka", "worker", "ingest"}
    assert [(name, host_ip) for name, host_ip, _ in ports if host_ip != "127.0.0.1"] == []


def test_kafka_creates_no_topic_by_itself() -> None:
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_a_worker_bound_to_every_interface_gives_peers_a_reachable_url() -> None:
    """The image's WORKER_WEB_HOST=0.0.0.0 must not become every worker's canonical URL."""
    env = COMPOSE["services"]["worker"]["environment"]
    assert re.search(r"WORKER_WEB_HOST=0\.0\.0\.0", DOCKERFILE) and env["WORKER_WEB_HOST"] == "0.0.0.0"
    settings = Settings(**{key.lower(): value for key, value in env.items()})
    assert "0.0.0.0" not in settings.canonical_url()
    assert settings.canonical_url().endswith(f":{settings.worker_web_port}")
