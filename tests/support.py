"""Helpers shared by the tests: free ports, per-test settings, a real worker process, publishing and reading
topics back, the command line, and the worker's HTTP API on the seed article."""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiokafka import TopicPartition
from spacy.language import Language

from streams import events
from streams.cli import terminate
from streams.clients import consumer, ensure_topics, producer
from streams.enrich import Enricher
from streams.nlp.records import Quote
from streams.settings import LOGICAL_TOPICS, PROJECT_ROOT, Settings
from streams.worker import state as st

SEED_DIR = PROJECT_ROOT / "seeds"
SEED_PATH = next(SEED_DIR.glob("*.txt"))
#: The canonical entities the seed article must give (test_seed, test_entities).
EXPECTED_ENTITIES = {
    ("Vladimir Putin", "PERSON"),
    ("Emmanuel Macron", "PERSON"),
    ("Ilham Aliyev", "PERSON"),
    ("Russia", "GPE"),
    ("France", "GPE"),
    ("Azerbaijan", "GPE"),
    ("Armenia", "GPE"),
    ("Kazakhstan", "GPE"),
    ("Baku", "GPE"),
    ("Yerevan", "GPE"),
    ("Commonwealth of Independent States", "ORG"),
}


#: Ports for listeners come from below Linux's ephemeral range (32768-60999): a port there that was free a
#: moment ago can be taken by an outgoing connection before a broker's JVM gets to bind it.
LISTEN_PORTS = range(20000, 32000)


def free_port() -> int:
    for _ in range(200):
        port = random.randrange(LISTEN_PORTS.start, LISTEN_PORTS.stop)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {LISTEN_PORTS}")


def free_port_pair() -> int:
    """A free port whose next port is free too: a local broker listens on both (clients, controller)."""
    for _ in range(100):
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports")


def topic_settings(base: Settings, prefix: str, **overrides: Any) -> Settings:
    """`base` with every logical topic and the app id under `prefix`: a test's own topics and group."""
    topics = {f"topic_{name}": f"{prefix}.{name}" for name in LOGICAL_TOPICS}
    return base.model_copy(update={**topics, "app_id": prefix, **overrides})


def run_cli(
    settings: Settings | None, *args: str, env: dict[str, str] | None = None, text: bool = False, timeout: float = 300
) -> subprocess.CompletedProcess[Any]:
    """`streams ARGS` in a child process with `settings` (and `env`) as its environment."""
    environment = {**os.environ, **(settings.as_env() if settings is not None else {}), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=text,
        timeout=timeout,
    )


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


# --- parser-process stand-ins for the enrichment pool's tests (module level: pickled by name) ---------

HANG, CRASH = b"hang", b"crash"


def no_model(settings: Settings, parent_pid: int | None) -> None:
    """An initializer that loads nothing: the pool's tests are about processes, not spaCy."""


def enrich_or_misbehave(raws: list[bytes], owners: object = None) -> list[object]:
    """Echo each raw article as its one output; `HANG` never returns, `CRASH` kills its process."""
    from streams.enrich import Output

    if HANG in raws:
        time.sleep(3600)
    if CRASH in raws:
        os.kill(os.getpid(), 9)
    return [[Output("enriched", raw, raw)] for raw in raws]


# --- the worker's HTTP API on the seed article (test_web, test_state, test_ui) --------------------------

SEED_TITLE = "Putin and Aliyev slam Macron"
MERKEL = {
    "id": "merkel-on-ukraine",
    "title": "Merkel on Ukraine",
    "text": '"Germany will stand with Ukraine for as long as it takes," Angela Merkel said on Monday. '
    "Merkel added that Emmanuel Macron agreed.",
}


def seed_article() -> events.Article:
    return events.Article(article_id=SEED_PATH.stem, text=SEED_PATH.read_text(), title=SEED_TITLE)


def article_messages() -> list[tuple[bytes, bytes]]:
    seed = seed_article()
    return [
        (seed.article_id.encode(), events.dumps(events.article_event(seed))),
        (MERKEL["id"].encode(), orjson.dumps(MERKEL)),
    ]


def enrich_locally(nlp: Language) -> list[dict[str, Any]]:
    """The same articles enriched in this process: what the worker's tables must agree with."""
    articles = [seed_article(), events.article_from_mapping(MERKEL)]
    return list(Enricher(nlp, Settings()).enrich(articles))


async def get(base: str, path: str, **params: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base}{path}", params=params, timeout=aiohttp.ClientTimeout(total=15)) as response,
    ):
        body = await response.read()
        is_json = response.content_type == "application/json"
        return response.status, orjson.loads(body) if is_json else body.decode()


async def wait_for(
    probe: Callable[[], Awaitable[Any]],
    ready: Callable[[Any], bool],
    workers: WorkerProcess | Sequence[WorkerProcess],
    timeout: float = 180,
) -> Any:
    """Call `probe` until `ready(answer)`; fail early if a worker died, and with every worker's log."""
    workers = [workers] if isinstance(workers, WorkerProcess) else list(workers)
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.alive, worker.log()[-5000:]
        try:
            last = await probe()
            if ready(last):
                return last
        except aiohttp.ClientError as exc:  # the web server is not up yet
            last = exc
        await asyncio.sleep(0.5)
    logs = "\n".join(f"--- {worker.log_path.name}\n{worker.log()[-3000:]}" for worker in workers)
    raise TimeoutError(f"not ready after {timeout}s; last answer: {str(last)[:1000]}\n{logs}")


def expected_speakers(enriched: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Speaker entity_id -> table value, folded by the same pure function the agent uses."""
    speakers: dict[str, dict[str, Any]] = {}
    for article in enriched:
        for key, record in st.speaker_quote_records(article):
            speakers[key] = st.add_speaker_quote(speakers.get(key), record) or speakers[key]
    return speakers


def base_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.worker_web_port}"


async def api_snapshot(base: str, speaker_ids: list[str], article_ids: list[str]) -> dict[str, Any]:
    """Every state answer of the API (less the clock), to compare before and after a restart."""
    snapshot: dict[str, Any] = {"speakers": (await get(base, "/speakers", top=100))[1]}
    for window in st.WINDOWS:
        _, trending = await get(base, "/entities/trending", window=window, top=100)
        snapshot[f"trending-{window}"] = trending["entities"]
    for speaker_id in speaker_ids:
        snapshot[speaker_id] = (await get(base, f"/speakers/{speaker_id}/quotes"))[1]
    for article_id in article_ids:
        snapshot[article_id] = (await get(base, f"/articles/{article_id}"))[1]
    return snapshot


def consumer_lags(metrics_text: str) -> dict[tuple[str, int], float]:
    """(topic, partition) -> streams_consumer_lag, from a /metrics answer."""
    pairs = re.findall(r'^streams_consumer_lag\{partition="(\d+)",topic="([^"]+)"\} (\S+)$', metrics_text, re.M)
    return {(topic, int(partition)): float(value) for partition, topic, value in pairs}


async def wait_caught_up(
    settings: Settings, worker: WorkerProcess, timeout: float = 60
) -> dict[tuple[str, int], float]:
    """Wait until the worker reports lag 0 on every partition of its input topics (articles, enriched):
    everything it will ever read of them is read and committed. The lag metric is set every 5 s."""
    inputs = [
        (t, p) for t in (settings.topic_articles, settings.topic_enriched) for p in range(settings.topic_partitions)
    ]
    answer = await wait_for(
        lambda: get(base_url(settings), "/metrics"),
        lambda a: all(consumer_lags(a[1]).get(tp) == 0.0 for tp in inputs),
        worker,
        timeout=timeout,
    )
    return consumer_lags(answer[1])


def found(nlp: Language, text: str) -> list[tuple[str, list[str], str | None, list[str]]]:
    """Each quote as (kind, fragment texts, cue word, speaker mentions)."""
    doc = nlp(text)
    quotes: list[Quote] = doc._.quotes
    return [
        (
            q.kind,
            [text[f.start : f.end] for f in q.fragments],
            q.cue.text if q.cue else None,
            [m.text for m in q.speaker_mentions],
        )
        for q in quotes
    ]
