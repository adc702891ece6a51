"""The Faust application: its topics and the one agent that enriches articles. Transport only.

    articles --(validate, parse once, extract: streams.enrich, in parser processes)--> enriched
                                                                                   +-> quotes
                                                                                   +-> entities
                                                                                   +-> sentences
             --(invalid or failed, with reason and original bytes)---------------> deadletter

Batches come from `stream.take_events`; spaCy runs in a process pool so the event loop keeps its
heartbeats; a batch's offsets are acknowledged only after all of its outputs were delivered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import faust
from faust.types import EventT

from streams import enrich, events, metrics, web
from streams.enrich import Output, Rejected, Result
from streams.settings import LOGICAL_TOPICS, Settings, get_settings
from streams.transport import faust_credentials

log = logging.getLogger("streams.worker")

OUTPUT_TOPICS = tuple(name for name in LOGICAL_TOPICS if name != "articles")


class Parser:
    """Runs `streams.enrich` off the event loop: in processes (real parallelism), or a thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._executor: Executor | None = None

    async def start(self) -> None:
        if self._executor is not None:
            return
        if self.settings.worker_processes > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=self.settings.worker_processes,
                initializer=enrich.init_process,
                initargs=(self.settings,),
            )
        else:
            self._executor = ThreadPoolExecutor(
                max_workers=1, initializer=enrich.init_process, initargs=(self.settings,)
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


def build_app(settings: Settings) -> faust.App:
    events.register_faust_codec()
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.kafka_bootstrap_servers.split(",")],
        broker_credentials=faust_credentials(settings),
        value_serializer="orjson",
        processing_guarantee=settings.processing_guarantee,
        store=settings.store_url,
        datadir=str(settings.data_dir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replicas,
        producer_acks=-1,
        producer_max_request_size=max(settings.max_article_bytes * 2, 1_048_576),
        consumer_max_fetch_size=max(settings.max_article_bytes * 2, 4 * 1_048_576),
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
    parser = Parser(settings)

    async def send(batch: Sequence[EventT], results: Sequence[Result]) -> dict[str, int]:
        pending = []
        counts = dict.fromkeys(OUTPUT_TOPICS, 0)
        for event, result in zip(batch, results, strict=True):
            messages = result if isinstance(result, list) else [dead_letter(event, result)]
            for message in messages:
                counts[message.topic] += 1
                pending.append(await outputs[message.topic].send(key=message.key, value=message.value))
        # Wait for the broker's acknowledgements: only then may take_events acknowledge the inputs.
        await asyncio.gather(*pending)
        return counts

    def dead_letter(event: EventT, rejected: Rejected) -> Output:
        message = event.message
        original = message.value if isinstance(message.value, bytes) else bytes(message.value or b"")
        letter = events.dead_letter_event(
            error=rejected.error,
            reason=rejected.reason,
            original=original,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
        )
        return Output("deadletter", message.key, events.dumps(letter))

    @app.agent(articles, name="enrich-articles")
    async def enrich_articles(stream: faust.StreamT[bytes]) -> None:
        await parser.start()
        try:
            async for batch in stream.take_events(settings.worker_batch_size, within=settings.worker_batch_seconds):
                started = time.perf_counter()
                results = await parser.process([raw_value(event) for event in batch])
                counts = await send(batch, results)
                metrics.record_batch(
                    settings.topic_articles,
                    len(batch),
                    time.perf_counter() - started,
                    counts,
                    [r.error for r in results if isinstance(r, Rejected)],
                )
                log.info(
                    "batch: %d articles in %.2fs -> %s",
                    len(batch),
                    time.perf_counter() - started,
                    ", ".join(f"{topic} {n}" for topic, n in counts.items() if n),
                )
        finally:
            parser.stop()

    from streams import state as stream_state  # the tables, and the agents that fill them

    web.register(app, settings, stream_state.register(app, settings))
    app.parser = parser  # type: ignore[attr-defined]
    app.output_topics = outputs  # type: ignore[attr-defined]
    return app


def raw_value(event: EventT) -> bytes:
    """The message value exactly as it came off the wire (the raw serializer leaves bytes alone)."""
    value = event.message.value
    return value if isinstance(value, bytes) else b""


def __getattr__(name: str) -> faust.App:
    """`streams.app:app` for Faust's own CLI (`faust -A streams.app worker`), built on first use."""
    if name == "app":
        globals()["app"] = built = build_app(get_settings())
        return built
    raise AttributeError(name)
