"""Shared fixtures: one real Kafka broker for the test session, the spaCy pipeline, worker processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from streams.settings import PROJECT_ROOT, Settings
from tests.support import SEED_PATH, free_port, free_port_pair, topic_settings

#: The session broker: on STREAMS_TEST_BROKER_PORT, else on free ports (away from a developer's broker on
#: 9092, and from another checkout's test session), with its data in the checkout's .kafka-test.
TEST_BROKER_DIR = PROJECT_ROOT / ".kafka-test"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nlp() -> Language:
    from streams import nlp as streams_nlp

    return streams_nlp.shared()


@pytest.fixture(scope="session")
def broker() -> Iterator[Settings]:
    """A real single-node Kafka for the whole session, started (and stopped) here."""
    from streams.broker import LocalBroker

    port = int(os.environ.get("STREAMS_TEST_BROKER_PORT") or free_port_pair())
    settings = Settings(kafka_bootstrap_servers=f"127.0.0.1:{port}", broker_dir=TEST_BROKER_DIR)
    local = LocalBroker(settings)
    was_running = local.status().running
    local.start(timeout=240)
    yield settings
    if not was_running:
        local.stop()


@pytest.fixture
def kafka_settings(broker: Settings, tmp_path: Path) -> Settings:
    """Settings for one test: its own topics, consumer group and data folder on the session broker."""
    return topic_settings(
        broker,
        f"t{uuid.uuid4().hex[:10]}",
        topic_partitions=2,
        data_dir=tmp_path / "data" / "worker",  # parents missing: the worker creates them
        worker_web_port=free_port(),
        worker_batch_seconds=0.2,
    )
