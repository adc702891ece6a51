"""Prometheus metrics of the worker: what came in, what went out, how batches went, how far behind."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: The worker's own registry (not the global one), so several apps in one test process don't collide.
REGISTRY = CollectorRegistry(auto_describe=True)

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
