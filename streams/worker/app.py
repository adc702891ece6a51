"""The worker's topology: its topics, tables and agents, declared in one place.

    articles ──enrich-articles──▶ enriched, quotes, entities, sentences    (pool.py, then delivery.py)
             ├────(full names, by surname)──▶ person-names
             └────(invalid, failed, too slow)──▶ deadletter
    enriched ──index-articles──▶ articles table, speaker-quotes, entity-mentions               (state.py)
    speaker-quotes ──count-speaker-quotes──▶ speakers table                                (state.py)
    entity-mentions ──count-entity-mentions──▶ entity-trends table                         (state.py)
    person-names ──count-person-names──▶ people global table ──▶ enrich-articles (bare surnames)

The tables answer the HTTP API (web.py); consumer lag goes to /metrics (metrics.py); guards.py closes
races in Faust's consumer. Everything an agent does lives in the module named for it: this one only
wires them together.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import faust
from aiokafka.admin import NewTopic
from faust.types import EventT
from mode.utils.times import want_seconds

from streams import events
from streams.clients import faust_credentials
from streams.settings import LOGICAL_TOPICS, Settings, get_settings
from streams.worker import guards, metrics, state, web
from streams.worker.dedup import DedupWindow
from streams.worker.delivery import Delivery, DeliveryError, Source
from streams.worker.pool import EnrichmentPool

log = logging.getLogger("streams.worker")

OUTPUT_TOPICS = tuple(name for name in LOGICAL_TOPICS if name != "articles")

T = TypeVar("T")


class App(faust.App):
    """faust.App that hands its consumer to `guard_consumer` when a worker starts the app, once.

    Not earlier: Faust's consumer reads `app.in_transaction` once, when it is created, and that is true only
    inside a worker (a consumer created at import time never uses transactions). Once: the guards wrap the
    consumer's methods, and a restarted app keeps its consumer.
    """

    guard_consumer: Callable[[Any], None] | None = None
    _guarded: object | None = None
    #: The worker's tables, for the web views.
    stream_state: state.State | None = None
    pool: EnrichmentPool | None = None
    delivery: Delivery | None = None

    async def on_start(self) -> None:
        await super().on_start()  # creates the consumer
        if self.guard_consumer is not None and self._guarded is not self.consumer:
            self.guard_consumer(self.consumer)
            self._guarded = self.consumer

    async def on_stop(self) -> None:
        # Before Faust stops the agents and waits for them: a batch stuck retrying must not hold SIGTERM.
        if self.delivery is not None:
            self.delivery.stop()
        await super().on_stop()


def build_app(settings: Settings) -> App:
    events.register_faust_codec()
    app = faust_app(settings)
    # Our events are serialized once, in the parser process: these topics carry raw bytes.
    articles = app.topic(settings.topic_articles, key_type=bytes, value_type=bytes, value_serializer="raw")
    enriched = app.topic(settings.topic_enriched, key_type=bytes, value_type=bytes, value_serializer="raw")
    speaker_quotes = app.topic(f"{settings.app_id}-speaker-quotes", **state.INTERNAL_TOPIC)
    entity_mentions = app.topic(f"{settings.app_id}-entity-mentions", **state.INTERNAL_TOPIC)
    person_names = app.topic(
        f"{settings.app_id}-person-names", partitions=state.PEOPLE_PARTITIONS, **state.INTERNAL_TOPIC
    )
    app.stream_state = tables = state.State.declare(app, settings)

    app.pool = EnrichmentPool(settings)
    app.delivery = Delivery(
        FaustProducer(app),
        {name: settings.topic(name) for name in OUTPUT_TOPICS} | {"person-names": person_names.get_topic_name()},
        max_message_bytes=settings.max_message_bytes,
        dedup=DedupWindow(settings.dedup_window_seconds) if settings.dedup_window_seconds > 0 else None,
        # Known only once the app runs in a worker (Faust's `in_transaction`), so asked at each batch.
        transactional_id=lambda source: transactional_id(app, source) if app.in_transaction else None,
    )
    app.agent(articles, name="enrich-articles")(enrich_articles(app.pool, app.delivery, tables, settings, app.crash))
    app.agent(enriched, name="index-articles")(state.index_articles(tables, speaker_quotes, entity_mentions))
    app.agent(person_names, name="count-person-names")(state.count_person_names(tables))
    app.agent(speaker_quotes, name="count-speaker-quotes")(state.count_speaker_quotes(tables))
    app.agent(entity_mentions, name="count-entity-mentions")(state.count_entity_mentions(tables))
    app.timer(interval=5.0, name="consumer-lag")(metrics.consumer_lag(app))
    web.register(app)

    def guard_consumer(consumer: Any) -> None:
        guards.seek_before_resume(consumer)
        guards.fetch_from_a_snapshot(consumer)
        guards.count_only_delivered_acks(consumer, articles.get_topic_name(), app.delivery.delivered)
        if app.in_transaction:
            guards.gate_commits(consumer, app.delivery.gate)

    app.guard_consumer = guard_consumer
    return app


def faust_app(settings: Settings) -> App:
    """The Faust app with the worker's settings: the broker, the store, the producer and consumer limits."""
    return App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.kafka_bootstrap_servers.split(",")],
        broker_credentials=faust_credentials(settings),
        value_serializer="orjson",
        processing_guarantee=settings.processing_guarantee,
        broker_session_timeout=settings.worker_session_timeout,
        broker_heartbeat_interval=min(3.0, settings.worker_session_timeout / 3),
        store=settings.store_url,
        table_standby_replicas=settings.table_standby_replicas,
        datadir=str(settings.data_dir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replicas,
        producer_acks=-1,
        # Table changelog writes come one event at a time; 5 ms lets them share produce requests, which
        # costs the broker (on the same cores) far less than one request each.
        producer_linger=0.005,
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        consumer_auto_offset_reset="earliest",
        web_host=settings.worker_web_host,
        web_port=settings.worker_web_port,
        canonical_url=settings.canonical_url(),  # from the host name when bound to every interface
        web_in_thread=False,
        # Faust's own endpoints are off: /table serves raw table values, /router every worker's URL.
        web_router_enabled=False,
        web_tables_enabled=False,
    )


def enrich_articles(
    pool: EnrichmentPool,
    delivery: Delivery,
    tables: state.State,
    settings: Settings,
    crash: Callable[[BaseException], Awaitable[None]],
) -> Callable[[faust.StreamT[bytes]], Awaitable[None]]:
    """The enrichment agent: batch N+1 is enriched while batch N is delivered, so the parser process
    never waits for the broker.

    take_events acks a batch when the loop body returns; each message holds one more reference until its
    outputs are delivered, so that ack only drops take_events' reference. Deliveries run one at a time,
    in order; the last one is finished before Faust's final commit when the worker stops. A batch that
    cannot be delivered (`DeliveryError`) crashes the worker: restarted, it reads the batch again. An
    agent restarted in place instead would go on past the batch with its offsets never committable.
    """

    async def deliver(stream: faust.StreamT[bytes], batch: list[EventT], results: list, started: float) -> None:
        outcome = await delivery.deliver_and_ack(
            [(source_of(event), event, result) for event, result in zip(batch, results, strict=True)], stream.ack
        )
        elapsed = time.perf_counter() - started
        metrics.record_batch(settings.topic_articles, len(batch), elapsed, outcome.sent, outcome.dead_letters)
        sent = ", ".join(f"{topic} {n}" for topic, n in outcome.sent.items() if n)
        repeats = f" ({outcome.repeats} re-publications dropped)" if outcome.repeats else ""
        log.info("batch: %d articles in %.2fs -> %s%s", len(batch), elapsed, sent, repeats)

    async def agent(stream: faust.StreamT[bytes]) -> None:
        await pool.start()
        delivering: asyncio.Future[None] | None = None
        try:
            async for batch in stream.take_events(settings.worker_batch_size, within=settings.worker_batch_seconds):
                started = time.perf_counter()
                for event in batch:
                    event.message.incref()
                raws = [raw_value(event) for event in batch]
                # What the stream knows of the people these articles may name by surname only.
                results = await pool.enrich(raws, tables.owners_for(raws))
                if delivering is not None:
                    await to_completion(delivering)
                delivering = asyncio.ensure_future(deliver(stream, batch, results, started))
        except DeliveryError as exc:
            log.critical("%s: stopping the worker; the batch is read again after the restart", exc)
            delivering = None
            await crash(exc)
        finally:
            delivery.stop()  # retries give up now: an unacknowledged batch is read again
            if delivering is not None:
                await to_completion(delivering)
            await pool.stop()

    return agent


class FaustProducer:
    """Sends straight to Faust's producer: Faust's Topic.send adds a future, a buffer hop and sensor calls
    to every message, and a worker sends about 80 per article."""

    def __init__(self, app: faust.App) -> None:
        self.app = app

    async def send(
        self, topic: str, key: bytes | None, value: bytes, transactional_id: str | None
    ) -> Awaitable[object]:
        return await self.app.producer.send(topic, key, value, None, None, None, transactional_id=transactional_id)


def transactional_id(app: faust.App, source: Source) -> str:
    """exactly_once: an output belongs in the transaction of its input's partition (the one that commits the
    input's offset; the format Faust's consumer commits with). Faust's own send would pick it by the
    *output* topic's partition, which its consumer has no metadata for."""
    return f"{app.conf.id}-{app.assignor.group_for_topic(source.topic)}-{source.partition}"


def source_of(event: EventT) -> Source:
    message = event.message
    return Source(message.topic, message.partition, message.offset, message.key, raw_value(event))


def raw_value(event: EventT) -> bytes:
    """The message value exactly as it came off the wire (the raw serializer leaves bytes alone)."""
    value = event.message.value
    return value if isinstance(value, bytes) else bytes(value or b"")


async def to_completion(work: Awaitable[T]) -> T:
    """Run `work` to its end even if the caller is cancelled (worker stopping): a batch whose outputs
    were half-sent must still be finished and acknowledged, or its offsets must stay unacknowledged."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            log.info("stopping: finishing the batch in flight first")
            await task
        raise


def internal_topics(app: faust.App) -> list[NewTopic]:
    """The topics Faust creates for itself (agents' internal topics, table changelogs, its leader topic),
    with the configuration Faust gives them, for `streams.clients.ensure_topics` to create first."""
    topics: list[faust.types.TopicT] = [
        agent.channel for agent in app.agents.values() if getattr(agent.channel, "internal", False)
    ]
    topics += [table.changelog_topic for table in app.tables.values()]
    if not app.conf.topic_disable_leader:
        topics.append(app._leader_assignor._leader_topic)  # type: ignore[attr-defined]
    return [
        NewTopic(
            name,
            num_partitions=topic.partitions or app.conf.topic_partitions,
            replication_factor=topic.replicas or app.conf.topic_replication_factor,
            topic_configs={key: str(value) for key, value in faust_topic_config(topic).items()},
        )
        for topic in topics
        for name in topic.topics
    ]


def faust_topic_config(topic: faust.types.TopicT) -> dict[str, object]:
    """What Faust's Kafka driver sets when it creates `topic` (`_topic_config` plus the topic's config)."""
    config: dict[str, object] = {}
    cleanup = [policy for policy, wanted in (("compact", topic.compacting), ("delete", topic.deleting)) if wanted]
    if cleanup:
        config["cleanup.policy"] = ",".join(cleanup)
    if topic.retention:
        config["retention.ms"] = int(want_seconds(topic.retention) * 1000)
    config.update(topic.config or {})
    return config


def __getattr__(name: str) -> faust.App:
    """`streams.worker.app:app` for Faust's own CLI (`faust -A streams.worker.app worker`), built on first use."""
    if name == "app":
        globals()["app"] = built = build_app(get_settings())
        return built
    raise AttributeError(name)
