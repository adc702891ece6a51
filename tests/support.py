"""Helpers for integration tests: run a real worker process, publish, and read topics back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aiokafka import TopicPartition

from streams.cli import terminate
from streams.settings import PROJECT_ROOT, Settings
from streams.transport import consumer, ensure_topics, producer


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


class WorkerProcess:
    """`streams worker` as a child process with the given settings; stopped with SIGTERM on exit.

    `new_session`: in a session of its own, so in a scheduler autogroup of its own, like a worker started
    separately in real life (the throughput benchmark's workers; see benchmarks/README.md).
    """

    def __init__(self, settings: Settings, log_path: Path, *args: str, new_session: bool = False) -> None:
        self.settings = settings
        self.log_path = log_path
        self.args = args
        self.new_session = new_session
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        env = {**os.environ, **self.settings.as_env(), "PYTHONUNBUFFERED": "1"}
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it until it exits
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker", *self.args],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=self.new_session,
        )
        return self

    def terminate(self, timeout: float = 60) -> int:
        assert self.process is not None
        return terminate(self.process, timeout)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.terminate()


async def publish(settings: Settings, messages: Iterable[tuple[bytes | None, bytes]], topic: str = "articles") -> None:
    await ensure_topics(settings)
    client = producer(settings)
    await client.start()
    try:
        futures = [await client.send(settings.topic(topic), value=value, key=key) for key, value in messages]
        await asyncio.gather(*futures)
    finally:
        await client.stop()


async def read_until(
    settings: Settings, topics: dict[str, int], timeout: float = 180, settle: float = 1.0
) -> dict[str, list[Record]]:
    """Read logical topics from the beginning until each has at least the wanted count of records.

    Waits `settle` seconds more afterwards, so that surplus records (duplicates) show up too.
    """
    names = {settings.topic(logical): logical for logical in topics}
    client = consumer(settings, *names, from_beginning=True)
    await client.start()
    found: dict[str, list[Record]] = {logical: [] for logical in topics}
    deadline = time.monotonic() + timeout
    try:
        done_at: float | None = None
        while time.monotonic() < deadline:
            batches = await client.getmany(timeout_ms=500)
            for tp, records in batches.items():
                found[names[tp.topic]] += [Record(tp.topic, tp.partition, r.offset, r.key, r.value) for r in records]
            if all(len(found[t]) >= n for t, n in topics.items()):
                done_at = done_at or time.monotonic()
                if time.monotonic() - done_at >= settle:
                    return found
        counts = {t: len(v) for t, v in found.items()}
        raise TimeoutError(f"wanted {topics}, got {counts} within {timeout}s")
    finally:
        await client.stop()


async def end_offsets(settings: Settings, logical: str) -> dict[TopicPartition, int]:
    client = consumer(settings, from_beginning=True)
    await client.start()
    try:
        await client.topics()
        name = settings.topic(logical)
        partitions = [TopicPartition(name, p) for p in client.partitions_for_topic(name) or ()]
        return await client.end_offsets(partitions)
    finally:
        await client.stop()
