"""Thin Kafka plumbing shared by the CLI and tests: topic creation, producers, consumers.

The worker's own transport is Faust's (streams.app); this module is for everything around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import faust
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from streams.settings import LOGICAL_TOPICS, Settings


def faust_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """The same security settings in Faust's terms (None for PLAINTEXT)."""
    options = settings.kafka_client_options()
    protocol = settings.kafka_security_protocol
    if protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password,
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=options.get("ssl_context"),  # type: ignore[arg-type]
        )
    if protocol == "SSL":
        return faust.SSLCredentials(options["ssl_context"])  # type: ignore[arg-type]
    return None


async def ensure_topics(settings: Settings) -> list[str]:
    """Create every topic of the project that does not exist yet; return the names created.

    Faust does not declare the topics an agent only reads or writes, and broker auto-creation would give
    them one partition: so we create them with `topic_partitions` before anything uses them.
    """
    timeout = settings.kafka_connect_timeout
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        request_timeout_ms=int(timeout * 1000),
        **settings.kafka_client_options(),
    )
    await _start_with_retry(admin.start, timeout)
    try:
        existing = set(await admin.list_topics())
        wanted = [settings.topic(name) for name in LOGICAL_TOPICS]
        missing = [name for name in wanted if name not in existing]
        if missing:
            new_topics = [
                NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=settings.topic_replicas)
                for name in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new_topics)
        return missing
    finally:
        await admin.close()


async def _start_with_retry(start: object, timeout: float) -> None:
    """Start a client, retrying while the broker is still coming up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await start()  # type: ignore[operator]
            return
        except KafkaConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def producer(settings: Settings, **overrides: object) -> AIOKafkaProducer:
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_request_size": max(settings.max_article_bytes * 2, 1_048_576),
        **settings.kafka_client_options(),
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)  # type: ignore[arg-type]


def consumer(settings: Settings, *topics: str, from_beginning: bool, **overrides: object) -> AIOKafkaConsumer:
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "auto_offset_reset": "earliest" if from_beginning else "latest",
        "enable_auto_commit": False,
        "group_id": None,
        **settings.kafka_client_options(),
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)  # type: ignore[arg-type]


async def read_topic(
    settings: Settings, topic: str, *, from_beginning: bool, timeout: float | None, **overrides: object
) -> AsyncIterator[tuple[bytes | None, bytes]]:
    """Yield (key, value) from a topic; stop after `timeout` seconds with no new message."""
    client = consumer(settings, topic, from_beginning=from_beginning, **overrides)
    await _start_with_retry(client.start, settings.kafka_connect_timeout)
    try:
        while True:
            batches = await client.getmany(timeout_ms=int((timeout or 1.0) * 1000), max_records=500)
            if not batches and timeout is not None:
                return
            for records in batches.values():
                for record in records:
                    yield record.key, record.value
    finally:
        await client.stop()
