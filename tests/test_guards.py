"""The guards around Faust's consumer, on a real (unstarted) Faust consumer; the end result across worker
restarts and kills is in test_faults.py."""

from __future__ import annotations

import asyncio

import faust
import pytest
from faust.types import TP
from faust.types.tuples import ConsumerMessage

from streams.worker import guards

ARTICLES = "articles"


def consumer_of(app_id: str) -> object:
    app = faust.App(app_id, broker="kafka://127.0.0.1:1", store="memory://")
    app.Table("articles", partitions=2)  # makes "<app_id>-articles-changelog" a changelog topic
    return app.consumer


def message(offset: int, topic: str = ARTICLES) -> ConsumerMessage:
    return ConsumerMessage(topic, 0, offset, 0.0, 0, None, b"key", b"value", None)


async def test_stream_partitions_resume_only_after_the_seek_to_committed_offsets() -> None:
    consumer = consumer_of("seek-guard")
    stream, changelog = TP(ARTICLES, 0), TP("seek-guard-articles-changelog", 0)
    active_during_seek: list[set[TP]] = []

    async def seek_to_committed() -> None:  # stands in for the round trips to the broker
        active_during_seek.append(set(consumer._get_active_partitions()))
        await asyncio.sleep(0)

    consumer.perform_seek = seek_to_committed
    consumer.assignment = lambda: {stream, changelog}
    guards.seek_before_resume(consumer)

    # What Faust's recovery does when a rebalance completes: resume everything, then seek.
    consumer.pause_partitions({stream, changelog})
    consumer.resume_partitions({stream, changelog})
    assert consumer._get_active_partitions() == {changelog}  # the fetcher must not hand out stream records yet
    await consumer.perform_seek()
    assert active_during_seek == [{changelog}]
    assert consumer._get_active_partitions() == {stream, changelog}


async def test_a_partition_revoked_before_the_seek_ends_stays_paused() -> None:
    consumer = consumer_of("seek-guard-revoked")
    kept, revoked = TP(ARTICLES, 0), TP(ARTICLES, 1)
    consumer.perform_seek = lambda: asyncio.sleep(0)
    consumer.assignment = lambda: {kept}
    guards.seek_before_resume(consumer)

    consumer.pause_partitions({kept, revoked})
    consumer.resume_partitions({kept, revoked})
    await consumer.perform_seek()
    assert consumer._get_active_partitions() == {kept}


async def test_the_fetch_gets_a_copy_of_the_active_partitions_and_its_records_are_all_handed_out() -> None:
    consumer = consumer_of("fetch-guard")
    stream, changelog = TP(ARTICLES, 0), TP("fetch-guard-articles-changelog", 0)
    fetched_from: list[set[TP]] = []

    async def fetch(active_partitions: set[TP], timeout: float) -> dict[TP, list[int]]:
        fetched_from.append(active_partitions)
        consumer.pause_partitions({changelog})  # recovery pausing a partition while the fetch runs
        return {stream: [0, 1]}

    consumer._getmany = fetch
    consumer.resume_flow()
    guards.fetch_from_a_snapshot(consumer)
    consumer.pause_partitions({stream, changelog})
    consumer.resume_partitions({stream, changelog})

    records, handed_out = await consumer._wait_next_records(1.0)
    # The fetch saw the partitions as they were when it started; Faust filters the records by `handed_out`.
    assert fetched_from == [{stream, changelog}]
    assert records == {stream: [0, 1]} and stream in handed_out
    assert consumer._get_active_partitions() == {stream}


async def test_no_fetch_without_active_partitions() -> None:
    consumer = consumer_of("fetch-guard-empty")
    consumer._getmany = lambda **kwargs: pytest.fail("fetched with no active partitions: aiokafka reads that as all")
    consumer.resume_flow()
    guards.fetch_from_a_snapshot(consumer)
    consumer.pause_partitions({TP(ARTICLES, 0)})
    consumer.sleep = lambda seconds: asyncio.sleep(0)
    assert await consumer._wait_next_records(1.0) == ({}, set())


def test_only_delivered_messages_count_as_processed() -> None:
    consumer = consumer_of("ack-guard")
    consumer.app.topics.acking_topics.add(ARTICLES)  # what the conductor does when the agent subscribes
    delivered: set[tuple[str, int, int]] = set()
    guards.count_only_delivered_acks(consumer, ARTICLES, delivered)
    skipped, sent = message(0), message(1)
    consumer._unacked_messages.update({skipped, sent})

    # A stream skipping an event while flow is suspended acks it: released, but its offset is not committable.
    assert consumer.ack(skipped) is False
    assert skipped.acked and skipped not in consumer._unacked_messages
    assert not consumer._acked[TP(ARTICLES, 0)]

    delivered.add((sent.topic, sent.partition, sent.offset))
    assert consumer.ack(sent) is True
    assert consumer._acked[TP(ARTICLES, 0)] == [1]
    assert sent not in consumer._unacked_messages


def test_acks_on_other_topics_are_untouched() -> None:
    consumer = consumer_of("ack-guard-other")
    consumer.app.topics.acking_topics.add("enriched")
    guards.count_only_delivered_acks(consumer, ARTICLES, set())
    assert consumer.ack(message(7, topic="enriched")) is True
    assert consumer._acked[TP("enriched", 0)] == [7]


async def test_the_app_guards_its_consumer_once_however_often_it_starts() -> None:
    from streams.settings import Settings
    from streams.worker.app import build_app

    app = build_app(Settings(app_id="guard-once"))
    guarded: list[object] = []
    app.guard_consumer = guarded.append  # type: ignore[method-assign]
    await app.on_start()
    await app.on_start()  # a restarted app keeps its consumer: wrapping it twice would nest the guards
    assert guarded == [app.consumer]
