"""Kafka clients, for the worker and the command line alike: credentials, topic creation, producers,
consumers.

The worker consumes and produces through Faust (`streams.worker`), with the credentials from here, and
creates its topics here before it joins its group; the CLI and the tests use the aiokafka clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

import faust
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, SaslAuthenticationFailed, TopicAlreadyExistsError

from streams.settings import LOGICAL_TOPICS, Settings
from streams.topic_check import check_topics

log = logging.getLogger(__name__)


def faust_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """The same security settings in Faust's terms (None for PLAINTEXT)."""
    options = settings.kafka_client_options()
    protocol = settings.kafka_security_protocol
    if protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.sasl_password(),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=options.get("ssl_context"),  # type: ignore[arg-type]
        )
    if protocol == "SSL":
        return faust.SSLCredentials(options["ssl_context"])  # type: ignore[arg-type]
    return None


async def ensure_topics(settings: Settings, internal: Sequence[NewTopic] = ()) -> list[str]:
    """Create every topic of the project that does not exist yet, wait until the broker serves them all;
    return the names created.

    Faust does not declare the topics an agent only reads or writes, and broker auto-creation would give
    them one partition: so we create them with `topic_partitions` before anything uses them. `internal`
    are the worker's own topics (`streams.worker.app.internal_topics`), which Faust would create only a moment
    before its consumer joins the group: a group leader whose metadata does not have a topic yet leaves it
    unassigned until its next metadata refresh, minutes later. Hence the wait, too: a topic just created
    takes a moment to appear in the broker's metadata.
    """
    timeout = settings.kafka_connect_timeout
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        request_timeout_ms=int(timeout * 1000),
        **settings.kafka_client_options(),
    )
    await start_with_retry(admin.start, timeout, settings)
    try:
        wanted = [
            NewTopic(
                settings.topic(name),
                num_partitions=settings.topic_partitions,
                replication_factor=settings.topic_replicas,
                # The broker's default (1 MiB) is below what a big article and its enrichment need.
                topic_configs={"max.message.bytes": str(settings.max_message_bytes)},
            )
            for name in LOGICAL_TOPICS
        ] + list(internal)
        existing = set(await admin.list_topics())
        for warning in await check_topics(admin, settings):
            log.warning(warning)
        missing = [topic for topic in wanted if topic.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        await _wait_until_served(admin, [topic.name for topic in wanted], timeout)
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def _wait_until_served(admin: AIOKafkaAdminClient, names: Sequence[str], timeout: float) -> None:
    """Return once the broker's metadata has every topic of `names`, each partition with a leader."""
    deadline = time.monotonic() + timeout
    while True:
        # All topics, not these names: a metadata request naming a missing topic may auto-create it.
        served = {
            topic["topic"]
            for topic in await admin.describe_topics()
            if topic["error_code"] == 0
            and topic["partitions"]
            and all(partition["leader"] >= 0 for partition in topic["partitions"])
        }
        absent = sorted(set(names) - served)
        if not absent:
            return
        if time.monotonic() > deadline:
            raise KafkaTimeoutError(f"topics not served by the broker after {timeout:.0f} s: {', '.join(absent)}")
        await asyncio.sleep(0.1)


async def start_with_retry(start: object, timeout: float, settings: Settings | None = None) -> None:
    """Start a client, retrying while the broker is still coming up (but not on wrong credentials)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await start()  # type: ignore[operator]
            return
        except KafkaConnectionError:
            if settings is not None:
                await raise_if_auth_fails(settings)
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def raise_if_auth_fails(settings: Settings) -> None:
    """Raise `SaslAuthenticationFailed` when the broker refuses our credentials.

    aiokafka's clients report a refused login as "Unable to bootstrap" and retry; one direct connection
    tells the real reason, so a wrong password fails at once and says so.
    """
    if not settings.kafka_security_protocol.startswith("SASL"):
        return
    host, _, port = settings.kafka_bootstrap_servers.split(",")[0].strip().rpartition(":")
    conn = None
    try:
        conn = await create_conn(host, int(port), **settings.kafka_client_options())  # type: ignore[arg-type]
    except SaslAuthenticationFailed as exc:
        user = settings.kafka_sasl_username
        raise SaslAuthenticationFailed(
            f"{settings.kafka_sasl_mechanism} login as {user!r} refused by {host}:{port}: {exc}"
        ) from None
    except Exception:
        return  # not an authentication problem: let the caller retry
    finally:
        if conn is not None:
            conn.close()


async def topic_partitions(client: AIOKafkaConsumer, topics: list[str], timeout: float = 30.0) -> list[TopicPartition]:
    """Every partition of `topics`, once each has a leader (fresh topics take a moment to get one)."""
    deadline = time.monotonic() + timeout
    while True:
        cluster = await client._client.fetch_all_metadata()
        found = {t: cluster.partitions_for_topic(t) or set() for t in topics}
        ready = all(found[t] and cluster.available_partitions_for_topic(t) == found[t] for t in topics)
        if ready or time.monotonic() > deadline:
            return [TopicPartition(t, p) for t in topics for p in sorted(found[t])]
        await asyncio.sleep(0.2)


def producer(settings: Settings, **overrides: object) -> AIOKafkaProducer:
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_request_size": settings.max_message_bytes,
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
        "max_partition_fetch_bytes": settings.max_message_bytes,
        **settings.kafka_client_options(),
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)  # type: ignore[arg-type]


async def read_topic(
    settings: Settings, topic: str, *, from_beginning: bool, timeout: float | None, **overrides: object
) -> AsyncIterator[tuple[bytes | None, bytes]]:
    """Yield (key, value) from a topic; stop after `timeout` seconds with no new message."""
    client = consumer(settings, topic, from_beginning=from_beginning, **overrides)
    await start_with_retry(client.start, settings.kafka_connect_timeout, settings)
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
