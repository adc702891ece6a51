"""The enrichment pool's recovery from an article that runs out of time or kills its parser process:
the culprit is rejected, the rest of its batch enriched, and the pool works on afterwards."""

from __future__ import annotations

import time

from streams.enrich import Output, Rejected
from streams.settings import Settings
from streams.worker.pool import EnrichmentPool
from tests.support import CRASH, HANG, enrich_or_misbehave, no_model


def pool(timeout: float = 2.0) -> EnrichmentPool:
    settings = Settings(worker_processes=1, article_timeout_seconds=timeout)
    return EnrichmentPool(settings, task=enrich_or_misbehave, initializer=no_model)


def echoed(raw: bytes) -> list[Output]:
    return [Output("enriched", raw, raw)]


async def test_an_article_over_its_budget_is_rejected_and_the_rest_enriched() -> None:
    enrichment = pool(timeout=1.5)
    await enrichment.start()
    try:
        started = time.monotonic()
        results = await enrichment.enrich([b"a", HANG, b"b"])
        elapsed = time.monotonic() - started
        assert results[0] == echoed(b"a") and results[2] == echoed(b"b")
        assert isinstance(results[1], Rejected) and results[1].error == "processing_timeout"
        # The batch's budget, then the culprit's: not an hour.
        assert elapsed < 30
        assert await enrichment.enrich([b"after"]) == [echoed(b"after")]
    finally:
        await enrichment.stop(kill=True)


async def test_an_article_that_kills_its_process_is_rejected_and_the_pool_rebuilt() -> None:
    enrichment = pool()
    await enrichment.start()
    try:
        results = await enrichment.enrich([b"a", CRASH, b"b"])
        assert results[0] == echoed(b"a") and results[2] == echoed(b"b")
        assert isinstance(results[1], Rejected) and results[1].error == "processing_crashed"
        assert await enrichment.enrich([b"after"]) == [echoed(b"after")]
    finally:
        await enrichment.stop(kill=True)


def test_a_batch_budget_grows_with_its_size() -> None:
    settings = Settings(article_timeout_seconds=10, max_article_bytes=1000)
    enrichment = EnrichmentPool(settings)
    assert enrichment.budget([b"x" * 10] * 16) == 10  # small articles: one budget for the batch
    assert enrichment.budget([b"x" * 1000] * 3) == 30  # each largest article's worth of bytes: one more
