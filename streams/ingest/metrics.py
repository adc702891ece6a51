"""Prometheus counters of the ingester, served on /metrics when INGEST_METRICS_PORT is set."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

#: The ingester's own registry, apart from the worker's (streams.metrics).
REGISTRY = CollectorRegistry(auto_describe=True)

FETCHED = Counter(
    "streams_ingest_fetched_total",
    "Responses read, by kind (feed, page) and outcome (ok, not_modified)",
    ["kind", "outcome"],
    registry=REGISTRY,
)
FAILED = Counter(
    "streams_ingest_failures_total",
    "Sources and pages that failed, by kind and reason",
    ["kind", "reason"],
    registry=REGISTRY,
)
PUBLISHED = Counter("streams_ingest_articles_published_total", "Articles published", registry=REGISTRY)
SKIPPED = Counter(
    "streams_ingest_articles_skipped_total",
    "Article links not published, by reason (seen, duplicate)",
    ["reason"],
    registry=REGISTRY,
)
PASSES = Counter("streams_ingest_passes_total", "Passes completed", registry=REGISTRY)
LAST_PASS = Gauge("streams_ingest_last_pass_timestamp_seconds", "When the last pass ended", registry=REGISTRY)
SEEN_URLS = Gauge("streams_ingest_seen_urls", "Canonical URLs known as published", registry=REGISTRY)
