"""Guards around faust-streaming 0.15.3's consumer, applied to one app's consumer instance (once each:
they wrap the consumer's methods, and `streams.worker.app.App` installs them once per consumer).

Faust's own offset bookkeeping has races that lose or repeat articles around a rebalance (every worker
start is one). Each guard here names the race it closes. `tests/test_guards.py` checks each guard
on a real Faust consumer; `tests/test_faults.py` checks the end result across worker restarts and kills.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from faust.types import TP


def seek_before_resume(consumer: Any) -> None:
    """Keep stream partitions paused after a rebalance until they are seeked to their committed offsets.

    Faust's recovery resumes the stream partitions and only then seeks them to the committed offsets,
    while the fetcher already runs. Records handed out in between come twice (from the position the
    fetcher had, then again after the seek), or are dropped from the stream's buffers by the seek and
    never come at all; a later record then opens a gap that Faust commits over. Both were seen on a
    worker restart: duplicates, and articles that were never enriched although their offsets were
    committed. Resuming stream partitions is therefore deferred to the end of the next seek.
    """
    resume: Callable[[Iterable[TP]], None] = consumer.resume_partitions
    seek: Callable[[], Awaitable[None]] = consumer.perform_seek
    held: set[TP] = set()

    def resume_partitions(tps: Iterable[TP]) -> None:
        tps = set(tps)
        streams = {tp for tp in tps if not consumer._is_changelog_tp(tp)}
        held.update(streams)
        resume(tps - streams)

    async def perform_seek() -> None:
        await seek()
        # Only what is still assigned: a rebalance may have come in between (it seeks again anyway).
        ready = held & set(consumer.assignment())
        held.clear()
        resume(ready)

    consumer.resume_partitions = resume_partitions
    consumer.perform_seek = perform_seek


def fetch_from_a_snapshot(consumer: Any) -> None:
    """Fetch from a copy of the active partitions, and hand out everything that fetch returned.

    Faust passes its live set of active partitions to the fetch, which runs on the consumer's thread, and
    later drops the fetched records of any partition no longer in that set. Recovery pauses and resumes
    partitions meanwhile; when it pauses the last changelog partitions the set is empty by the time the
    fetch runs, and aiokafka reads an empty set as "all partitions": the input partitions' records come
    back, are dropped, and the consumer's position has moved past them. A restarted worker then sat
    "ready" without processing anything. This is Faust's `_wait_next_records` with a copy of the set.
    """

    async def wait_next_records(timeout: float) -> tuple[Any, set[TP] | None]:
        if not consumer.flow_active:
            await consumer.wait(consumer.can_resume_flow)
        try:
            consumer.not_waiting_next_records.set()
            if consumer.app.client_only:
                return await consumer._getmany(active_partitions=None, timeout=timeout), None
            active = set(consumer._get_active_partitions())
            if not active:
                await consumer.sleep(1)
                return {}, active
            return await consumer._getmany(active_partitions=active, timeout=timeout), active
        finally:
            consumer.not_waiting_next_records.set()

    consumer._wait_next_records = wait_next_records


def count_only_delivered_acks(consumer: Any, topic: str, delivered: set[tuple[str, int, int]]) -> None:
    """Let only acks of messages whose (topic, partition, offset) is in `delivered` advance `topic`'s
    committed offsets.

    While flow is suspended (a rebalance, the worker stopping) a Faust stream skips the events it still
    holds and acks them as if processed. Their offsets then sit among the acked ones and are committed
    with the next commit, although nothing was sent for them: lost if the worker dies before the seek
    brings them back. `streams.worker.delivery.Delivery` adds a message's position to `delivered` when its
    outputs are acknowledged by the broker; other acks on `topic` only release the message (so that
    stopping does not wait for it).
    """
    ack: Callable[[Any], bool] = consumer.ack

    def delivered_ack(message: Any) -> bool:
        if message.topic != topic or (message.topic, message.partition, message.offset) in delivered:
            return ack(message)
        message.acked = True
        consumer._unacked_messages.discard(message)
        return False

    consumer.ack = delivered_ack


def gate_commits(consumer: Any, gate: asyncio.Lock) -> None:
    """Make Faust's offset commits (periodic, on rebalance, on stop) wait while `gate` is held.

    exactly_once: a batch's outputs join its partitions' open transactions as they are sent; a commit
    in between would commit them with offsets from before the batch, and a crash then would re-process
    the batch into a second, committed copy.
    """
    commit: Callable[..., Awaitable[bool]] = consumer.commit

    async def gated_commit(*args: Any, **kwargs: Any) -> bool:
        async with gate:
            return await commit(*args, **kwargs)

    consumer.commit = gated_commit
