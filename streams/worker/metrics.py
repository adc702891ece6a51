"""Prometheus metrics of the worker: what came in, what went out, how batches went, how far behind."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import faust
from aiokafka.errors import KafkaError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: The worker's own registry (not the global one), so several apps in one test process don't collide.
REGISTRY = CollectorRegistry(auto_describe=True)

log = logging.getLogger("streams.worker.metrics")

EVENTS_IN = Counter("streams_events_in_total", "Messages consumed, by topic", ["topic"], registry=REGISTRY)
EVENTS_OUT = Counter("streams_events_out_total", "Messages produced, by logical topic", ["topic"], registry=REGISTRY)
DEAD_LETTERS = Counter("streams_dead_letters_total", "Inputs dead-lettered, by error", ["error"], registry=REGISTRY)
BATCH_SIZE = Histogram(
    "streams_batch_size", "Articles per batch", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=REGISTRY
)
BATCH_SECONDS = Histogram(
    "streams_batch_seconds",
    "Seconds from a batch's arrival to its outputs being acknowledged",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
    registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "streams_consumer_lag",
    "Messages behind the partition's end, by topic and partition",
    ["topic", "partition"],
    registry=REGISTRY,
)


def record_batch(topic: str, size: int, seconds: float, sent: dict[str, int], dead_letter_errors: list[str]) -> None:
    EVENTS_IN.labels(topic).inc(size)
    BATCH_SIZE.observe(size)
    BATCH_SECONDS.observe(seconds)
    for logical, count in sent.items():
        if count:
            EVENTS_OUT.labels(logical).inc(count)
    for error in dead_letter_errors:
        DEAD_LETTERS.labels(error).inc()


def partition_lag(end: int | None, committed: int | None, position: int | None) -> int | None:
    """Messages in a partition not yet committed (or, before the first commit, not yet read)."""
    if end is None:
        return None
    done = committed if committed is not None else position
    return max(end - (done or 0), 0)


def consumer_lag(app: faust.App) -> Callable[[], Awaitable[None]]:
    """A timer that sets streams_consumer_lag for each assigned input partition (changelogs are read, not
    committed), and removes the partitions this worker no longer owns.

    An exception in a Faust timer crashes the whole worker, and a rebalance can revoke a partition between
    reading the assignment and asking its position (a second worker joining did exactly that): a tick that
    meets a rebalance, or a broker it cannot reach, keeps the last figures and tries again next time.
    """
    shown: set[tuple[str, str]] = set()

    async def measure() -> None:
        consumer = app.consumer
        changelogs = {table.changelog_topic.get_topic_name() for table in app.tables.values()}
        tps = [tp for tp in consumer.assignment() if tp.topic not in changelogs]
        ends = await consumer.highwaters(*tps) if tps else {}
        current = set()
        for tp in tps:
            # Faust keeps the offsets it committed (Kafka's "next to read") but has no public getter for them.
            committed = consumer._committed_offset.get(tp)
            lag = partition_lag(ends.get(tp), committed, await consumer.position(tp))
            if lag is not None:
                labels = (tp.topic, str(tp.partition))
                CONSUMER_LAG.labels(*labels).set(lag)
                current.add(labels)
        for labels in shown - current:
            CONSUMER_LAG.remove(*labels)
        shown.clear()
        shown.update(current)

    async def timer() -> None:
        if app.rebalancing:  # the assignment is changing under us
            return
        try:
            await measure()
        except KafkaError as exc:  # IllegalStateError: a partition revoked mid-tick; or no broker to ask
            log.info("consumer lag not measured this time: %r", exc)

    return timer
