"""Nothing lost: worker crashes (SIGKILL), graceful stops (SIGTERM), broker restarts, exactly_once.

Integration tests on a real broker and real worker processes. Articles are short and written for the
tests, so that 300 of them go through on 2 cores in reasonable time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from aiokafka import TopicPartition

from streams import events
from streams.clients import consumer as kafka_consumer
from streams.settings import Settings
from tests.support import WorkerProcess, free_port_pair, publish, topic_settings

pytestmark = pytest.mark.kafka

#: A restarted worker gets a killed one's partitions after this long (the default, 60 s, is for production).
SESSION_TIMEOUT = 8.0


def article(index: int) -> tuple[bytes, bytes]:
    """A short article with a quote and an entity: cheap to parse, but exercises every output."""
    article_id = f"fault-{index:04d}"
    text = f'Mayor Ana Lopez said on Monday that "bridge {index} will reopen in May". Traffic stayed calm.'
    return article_id.encode(), orjson.dumps({"id": article_id, "text": text, "title": f"Bridge {index}"})


class Collector:
    """Reads logical topics from the beginning, incrementally, until a condition holds."""

    def __init__(self, settings: Settings, *logical: str, **overrides: object) -> None:
        self.names = {settings.topic(name): name for name in logical}
        self.client = kafka_consumer(settings, *self.names, from_beginning=True, **overrides)
        self.records: dict[str, list[tuple[bytes | None, bytes]]] = {name: [] for name in logical}

    async def __aenter__(self) -> Collector:
        await self.client.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.stop()

    def keys(self, logical: str) -> Counter[bytes | None]:
        return Counter(key for key, _ in self.records[logical])

    async def until(self, done: Callable[[Collector], bool], timeout: float, settle: float = 0.0) -> None:
        deadline = time.monotonic() + timeout
        while not done(self):
            if time.monotonic() > deadline:
                counts = {name: len(set(self.keys(name))) for name in self.records}
                raise TimeoutError(f"condition not met within {timeout}s; distinct keys so far: {counts}")
            await self.poll(500)
        settle_until = time.monotonic() + settle
        while time.monotonic() < settle_until:  # surplus records (duplicates) show up too
            await self.poll(300)

    async def poll(self, timeout_ms: int) -> None:
        for tp, batch in (await self.client.getmany(timeout_ms=timeout_ms)).items():
            self.records[self.names[tp.topic]] += [(r.key, r.value) for r in batch]


def distinct_at_least(logical: str, count: int) -> Callable[[Collector], bool]:
    return lambda c: len(set(c.keys(logical))) >= count


@pytest.fixture
def fault_settings(kafka_settings: Settings) -> Settings:
    return kafka_settings.model_copy(update={"worker_session_timeout": SESSION_TIMEOUT, "worker_batch_size": 8})


def assert_redeliveries_identical(records: list[tuple[bytes | None, bytes]]) -> None:
    """Every copy of an article's enriched event is the same event: same ids for it, its quotes, entities."""
    by_key: dict[bytes | None, bytes] = {}
    for key, value in records:
        assert by_key.setdefault(key, value) == value, f"re-delivery of {key!r} differs"


async def test_at_least_once_across_two_sigkills(fault_settings: Settings, tmp_path: Path) -> None:
    count = 300
    messages = [article(i) for i in range(count)]
    worker = WorkerProcess(fault_settings, tmp_path / "worker.log").start()
    try:
        await publish(fault_settings, messages)
        async with Collector(fault_settings, "enriched") as seen:
            for kill_after in (60, 150):  # mid-stream, twice
                await seen.until(distinct_at_least("enriched", kill_after), timeout=240)
                assert worker.alive, worker.log()
                worker.kill()
                # Restarted at once: it joins while the dead member still holds the partitions.
                worker = WorkerProcess(fault_settings, tmp_path / "worker.log").start()
            await seen.until(distinct_at_least("enriched", count), timeout=300, settle=2)
        assert worker.alive, worker.log()
    finally:
        worker.terminate()
    keys = seen.keys("enriched")
    assert set(keys) == {key for key, _ in messages}  # nothing lost
    assert_redeliveries_identical(seen.records["enriched"])
    # Ids come from the article: a re-delivered quote has the quote_id of its first delivery.
    quote = orjson.loads(dict(seen.records["enriched"])[b"fault-0000"])["quotes"][0]
    assert quote["quote_id"] == events.quote_id("fault-0000", SimpleNamespace(**quote["span"]))  # type: ignore[arg-type]


async def test_sigterm_finishes_the_batch_then_exits_zero(
    fault_settings: Settings, seed_text: str, tmp_path: Path
) -> None:
    # Seed-sized articles: a batch takes seconds, so the SIGTERM lands in the middle of one.
    settings = fault_settings.model_copy(update={"worker_batch_size": 6})
    count = 30
    messages = [
        (f"seed-{i}".encode(), orjson.dumps({"id": f"seed-{i}", "text": seed_text.replace("Macron", f"Macron {i}")}))
        for i in range(count)
    ]
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    await publish(settings, messages)
    async with Collector(settings, "enriched") as seen:
        await seen.until(distinct_at_least("enriched", 1), timeout=240)
        code = worker.terminate(timeout=120)
        assert code == 0, worker.log()
        stopped_with = len(seen.keys("enriched"))
        with WorkerProcess(settings, tmp_path / "worker2.log") as again:
            await seen.until(distinct_at_least("enriched", count), timeout=300, settle=5)
            assert again.alive, again.log()
    keys = seen.keys("enriched")
    assert set(keys) == {key for key, _ in messages}
    # The stopped worker delivered what it acknowledged and committed it: the restart repeats nothing.
    assert max(keys.values()) == 1, (stopped_with, [k for k, n in keys.items() if n > 1])


async def test_exactly_once_no_duplicates_for_a_read_committed_consumer(
    fault_settings: Settings, tmp_path: Path
) -> None:
    settings = fault_settings.model_copy(update={"processing_guarantee": "exactly_once"})
    count = 120
    messages = [article(i) for i in range(count)]
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        await publish(settings, messages)
        async with Collector(settings, "enriched", "quotes", isolation_level="read_committed") as seen:
            await seen.until(distinct_at_least("enriched", 40), timeout=240)
            worker.kill()  # mid-stream: an open transaction is aborted, the committed ones stay
            worker = WorkerProcess(settings, tmp_path / "worker2.log").start()
            await seen.until(distinct_at_least("enriched", count), timeout=300, settle=6)
        assert worker.alive, worker.log()
    finally:
        worker.terminate()
    for logical in ("enriched", "quotes"):
        keys = seen.keys(logical)
        assert set(keys) == {key for key, _ in messages}
        assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    # The outputs really were written in transactions: commit markers take offsets of their own.
    assert await total_end_offset(settings, "enriched") > count


async def total_end_offset(settings: Settings, logical: str) -> int:
    client = kafka_consumer(settings, from_beginning=True)
    await client.start()
    try:
        name = settings.topic(logical)
        partitions = [TopicPartition(name, p) for p in range(settings.topic_partitions)]
        return sum((await client.end_offsets(partitions)).values())
    finally:
        await client.stop()


async def test_same_article_twice_same_ids_and_optional_dedup(fault_settings: Settings, tmp_path: Path) -> None:
    key, value = article(7)
    changed = orjson.dumps({**orjson.loads(value), "text": 'Ana Lopez said "the bridge stays shut" on Friday.'})
    # Off by default: both copies are enriched, identically.
    with WorkerProcess(fault_settings, tmp_path / "plain.log"):
        await publish(fault_settings, [(key, value), (key, value)])
        async with Collector(fault_settings, "enriched") as seen:
            await seen.until(lambda c: len(c.records["enriched"]) >= 2, timeout=240)
    assert len(seen.records["enriched"]) == 2
    assert_redeliveries_identical(seen.records["enriched"])

    # With a window: the exact re-publication is dropped; new content under the same id is not.
    dedup = topic_settings(fault_settings, f"{fault_settings.app_id}-dedup", dedup_window_seconds=60.0)
    with WorkerProcess(dedup, tmp_path / "dedup.log") as worker:
        await publish(
            dedup,
            [(key, value), (key, value), (key, changed), (b"after", orjson.dumps({"id": "after", "text": "Bye."}))],
        )
        async with Collector(dedup, "enriched") as seen:
            await seen.until(lambda c: b"after" in c.keys("enriched"), timeout=240, settle=2)
        assert "re-publications dropped" in worker.log()
    texts = [orjson.loads(v)["text"] for k, v in seen.records["enriched"] if k == key]
    assert texts == [orjson.loads(value)["text"], orjson.loads(changed)["text"]]


# --------------------------------------------------------------------------- broker restart


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[tuple[Settings, object]]:
    from streams.broker import LocalBroker

    settings = Settings(
        kafka_bootstrap_servers=f"127.0.0.1:{free_port_pair()}", broker_dir=tmp_path / "kafka", broker_heap="384m"
    )
    local = LocalBroker(settings)
    local.start(timeout=240)
    try:
        yield settings, local
    finally:
        local.stop()


async def test_worker_reconnects_after_broker_restart(
    own_broker: tuple[Settings, object], kafka_settings: Settings, tmp_path: Path
) -> None:
    broker_settings, local = own_broker
    settings = kafka_settings.model_copy(
        update={
            "kafka_bootstrap_servers": broker_settings.kafka_bootstrap_servers,
            "worker_session_timeout": SESSION_TIMEOUT,
            "worker_batch_size": 8,
        }
    )
    count = 120
    messages = [article(i) for i in range(count)]
    with WorkerProcess(settings, tmp_path / "worker.log") as worker:
        await publish(settings, messages)
        async with Collector(settings, "enriched") as seen:
            await seen.until(distinct_at_least("enriched", 30), timeout=240)
        await asyncio.to_thread(local.stop)  # type: ignore[attr-defined]
        await asyncio.sleep(5)
        assert worker.alive, worker.log()
        await asyncio.to_thread(local.start, 240)  # type: ignore[attr-defined]
        async with Collector(settings, "enriched") as seen:
            await seen.until(distinct_at_least("enriched", count), timeout=300)
        assert worker.alive, worker.log()
    assert set(seen.keys("enriched")) == {key for key, _ in messages}
    assert_redeliveries_identical(seen.records["enriched"])
