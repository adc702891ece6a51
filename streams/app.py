"""The Faust application: its topics and the one agent that enriches articles. Transport only.

    articles --(validate, parse once, extract: streams.enrich, in parser processes)--> enriched
                                                                                   +-> quotes
                                                                                   +-> entities
                                                                                   +-> sentences
             --(invalid or failed, with reason and original bytes)---------------> deadletter

Batches come from `stream.take_events`; spaCy runs in a process pool so the event loop keeps its
heartbeats; the next batch is parsed while the last one is delivered; a batch's offsets are acknowledged
only after all of its outputs were delivered.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

import faust
from aiokafka.admin import NewTopic
from faust.types import EventT
from mode.utils.times import want_seconds

from streams import enrich, events, faust_patches, metrics, state, web
from streams.dedup import DedupWindow, content_hash
from streams.enrich import Output, Rejected, Result
from streams.settings import LOGICAL_TOPICS, Settings, get_settings
from streams.transport import faust_credentials

log = logging.getLogger("streams.worker")

OUTPUT_TOPICS = tuple(name for name in LOGICAL_TOPICS if name != "articles")

T = TypeVar("T")


class Parser:
    """Runs `streams.enrich` off the event loop: in processes (real parallelism), or a thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._executor: Executor | None = None

    async def start(self) -> None:
        if self._executor is not None:
            return
        if self.settings.worker_processes > 0:
            # spawn, not fork: a forked child would inherit the worker's sockets (its web port, Kafka
            # connections) and the state of its threads; spawned ones start clean.
            self._executor = ProcessPoolExecutor(
                max_workers=self.settings.worker_processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=enrich.init_process,
                initargs=(self.settings, os.getpid()),
            )
        else:
            self._executor = ThreadPoolExecutor(
                max_workers=1, initializer=enrich.init_process, initargs=(self.settings, None)
            )
        # Load the model now, not on the first batch, so the first batch does not stall the stream.
        await self.process([])

    async def process(self, raws: Sequence[bytes]) -> list[Result]:
        if self._executor is None:
            await self.start()
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, enrich.process_in_process, raws)

    def stop(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=False)
            self._executor = None


class App(faust.App):
    """faust.App that hands its consumer to `guard_consumer` when a worker starts the app, once.

    Not earlier: Faust's consumer reads `app.in_transaction` once, when it is created, and that is true only
    inside a worker (a consumer created at import time never uses transactions). Once: the guards wrap the
    consumer's methods, and a restarted app keeps its consumer.
    """

    guard_consumer: Callable[[Any], None] | None = None
    _guarded: object | None = None

    async def on_start(self) -> None:
        await super().on_start()  # creates the consumer
        if self.guard_consumer is not None and self._guarded is not self.consumer:
            self.guard_consumer(self.consumer)
            self._guarded = self.consumer


def build_app(settings: Settings) -> faust.App:
    events.register_faust_codec()
    app = App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.kafka_bootstrap_servers.split(",")],
        broker_credentials=faust_credentials(settings),
        value_serializer="orjson",
        processing_guarantee=settings.processing_guarantee,
        broker_session_timeout=settings.worker_session_timeout,
        broker_heartbeat_interval=min(3.0, settings.worker_session_timeout / 3),
        store=settings.store_url,
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
        web_in_thread=False,
    )
    # Our events are serialized once, in the parser process: topics carry raw bytes.
    articles = app.topic(settings.topic_articles, key_type=bytes, value_type=bytes, value_serializer="raw")
    outputs = {
        name: app.topic(settings.topic(name), key_type=bytes, value_type=bytes, value_serializer="raw")
        for name in OUTPUT_TOPICS
    }
    output_names = {name: topic.get_topic_name() for name, topic in outputs.items()}
    parser = Parser(settings)

    dedup = DedupWindow(settings.dedup_window_seconds) if settings.dedup_window_seconds > 0 else None
    gate = asyncio.Lock()  # held from a batch's first send to its acks; see faust_patches.gate_commits
    delivered: set[object] = set()  # messages being acked after delivery; see faust_patches.count_only_delivered_acks

    async def send(batch: Sequence[EventT], results: Sequence[Result]) -> tuple[dict[str, int], int]:
        """Send a batch's outputs and wait for their delivery; return the counts by topic and the number of
        articles dropped as re-publications."""
        pending = []
        counts = dict.fromkeys(OUTPUT_TOPICS, 0)
        dropped = 0
        for event, result in zip(batch, results, strict=True):
            messages = result if isinstance(result, list) else [dead_letter(event, result)]
            if dedup is not None and isinstance(result, list) and is_repeat(dedup, result):
                dropped += 1
                continue
            transaction = transactional_id(app, event) if app.in_transaction else None
            for message in messages:
                counts[message.topic] += 1
                pending.append(await publish(message, transaction))
        # Wait for the broker's acknowledgements: only then may the inputs be acknowledged.
        await asyncio.gather(*pending)
        return counts, dropped

    async def deliver(batch: Sequence[EventT], results: Sequence[Result]) -> tuple[dict[str, int], int]:
        """`send`, retried until it succeeds: the batch's offsets must not be acknowledged before its
        outputs are delivered (at_least_once re-sends then, which the ids make harmless). Under
        exactly_once a failed send breaks the transaction: it is aborted, the error is the worker's."""
        while True:
            try:
                return await send(batch, results)
            except Exception as exc:
                if app.in_transaction:
                    raise
                log.warning("sending a batch of %d failed (%r); retrying in 2s", len(batch), exc)
                await asyncio.sleep(2)

    async def publish(message: Output, transaction: str | None) -> Awaitable[object]:
        # Straight to the producer: Faust's Topic.send adds a future, a buffer hop and sensor calls to every
        # message, and a worker sends about 80 per article. Under exactly_once, an output belongs in the
        # transaction of its input's partition (the one that commits the input's offset); Faust's own send
        # would pick it by the *output* topic's partition, which its consumer has no metadata for, and fall
        # back to sending outside any transaction.
        return await app.producer.send(
            output_names[message.topic], message.key, message.value, None, None, None, transactional_id=transaction
        )

    def dead_letter(event: EventT, rejected: Rejected) -> Output:
        message = event.message
        letter = events.dead_letter_event(
            error=rejected.error,
            reason=rejected.reason,
            original=raw_value(event),
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
        )
        return Output("deadletter", message.key, events.dumps(letter))

    async def deliver_and_ack(
        stream: faust.StreamT[bytes], batch: Sequence[EventT], results: Sequence[Result], started: float
    ) -> None:
        async with gate:
            counts, duplicates = await deliver(batch, results)
            # Ack here, inside the gate and only after delivery: a commit can never see a batch half-sent,
            # nor miss the offsets of outputs it commits.
            for event in batch:
                delivered.add(event.message)
                try:
                    await stream.ack(event)
                finally:
                    delivered.discard(event.message)
        elapsed = time.perf_counter() - started
        metrics.record_batch(
            settings.topic_articles, len(batch), elapsed, counts, [r.error for r in results if isinstance(r, Rejected)]
        )
        log.info(
            "batch: %d articles in %.2fs -> %s%s",
            len(batch),
            elapsed,
            ", ".join(f"{topic} {n}" for topic, n in counts.items() if n),
            f" ({duplicates} re-publications dropped)" if duplicates else "",
        )

    @app.agent(articles, name="enrich-articles")
    async def enrich_articles(stream: faust.StreamT[bytes]) -> None:
        """Parse batch N+1 while batch N is delivered: the parser process never waits for the broker.

        take_events acks a batch when the loop body returns; each message holds one more reference until
        its outputs are delivered, so that ack only drops take_events' reference. Deliveries run one at a
        time, in order.
        """
        await parser.start()
        delivering: asyncio.Future[None] | None = None
        try:
            async for batch in stream.take_events(settings.worker_batch_size, within=settings.worker_batch_seconds):
                started = time.perf_counter()
                for event in batch:
                    event.message.incref()
                results = await parser.process([raw_value(event) for event in batch])
                if delivering is not None:
                    await to_completion(delivering)
                delivering = asyncio.ensure_future(deliver_and_ack(stream, batch, results, started))
        finally:
            if delivering is not None:
                # Stopping: the last batch's outputs are delivered and acked before Faust's final commit.
                await to_completion(delivering)
            parser.stop()

    web.register(app, settings, state.register(app, settings))

    def guard_consumer(consumer: Any) -> None:
        faust_patches.seek_before_resume(consumer)
        faust_patches.fetch_from_a_snapshot(consumer)
        faust_patches.count_only_delivered_acks(consumer, articles.get_topic_name(), delivered)
        if app.in_transaction:
            faust_patches.gate_commits(consumer, gate)

    app.guard_consumer = guard_consumer
    app.parser = parser  # type: ignore[attr-defined]
    app.output_topics = outputs  # type: ignore[attr-defined]
    return app


def internal_topics(app: faust.App) -> list[NewTopic]:
    """The topics Faust creates for itself (agents' internal topics, table changelogs, its leader topic),
    with the configuration Faust gives them, for `streams.transport.ensure_topics` to create first."""
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


def transactional_id(app: faust.App, event: EventT) -> str:
    """The id of Faust's transaction for the input's partition (the format its consumer commits with)."""
    message = event.message
    return f"{app.conf.id}-{app.assignor.group_for_topic(message.topic)}-{message.partition}"


def is_repeat(dedup: DedupWindow, outputs: Sequence[Output]) -> bool:
    """Whether an enriched article's outputs repeat one seen within the window (same id, same content)."""
    enriched = outputs[0]  # outputs_for puts the enriched event, keyed by the article id, first
    return dedup.seen((enriched.key or b"").decode(), content_hash(enriched.value))


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


def raw_value(event: EventT) -> bytes:
    """The message value exactly as it came off the wire (the raw serializer leaves bytes alone)."""
    value = event.message.value
    return value if isinstance(value, bytes) else bytes(value or b"")


def __getattr__(name: str) -> faust.App:
    """`streams.app:app` for Faust's own CLI (`faust -A streams.app worker`), built on first use."""
    if name == "app":
        globals()["app"] = built = build_app(get_settings())
        return built
    raise AttributeError(name)
