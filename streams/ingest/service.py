"""`streams ingest`: one pass (`--once`) or a pass every `interval` seconds until SIGTERM, with a progress
bar, a summary per pass, failures on stderr and, as a service, Prometheus counters on /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from aiokafka.errors import KafkaError
from prometheus_client import start_http_server
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from streams.clients import producer, start_with_retry
from streams.ingest import metrics
from streams.ingest.feeds import read_source_list
from streams.ingest.fetch import Fetcher
from streams.ingest.pipeline import Ingester, PassReport
from streams.ingest.seen import SeenUrls
from streams.ingest.urls import is_web_url
from streams.settings import Settings


def check_sources(sources: Sequence[str]) -> list[str]:
    """The arguments that are neither an http(s) URL nor an existing file (a usage error)."""
    return [s for s in sources if not is_web_url(s) and not Path(s).is_file()]


def expand_sources(sources: Sequence[str], console: Console) -> tuple[list[str], int]:
    """Source URLs, source files read again at each pass (edit them while the service runs); and how many
    files or lines could not be used."""
    urls: list[str] = []
    bad = 0
    for source in sources:
        if is_web_url(source):
            urls.append(source)
            continue
        try:
            lines = read_source_list(Path(source))
        except (OSError, UnicodeDecodeError) as exc:
            bad += 1
            console.print(f"failed feed unreadable: {source}: {exc}", markup=False, highlight=False)
            continue
        for line in lines:
            if is_web_url(line):
                urls.append(line)
            else:
                bad += 1
                console.print(f"failed feed bad_url: {source}: {line!r}", markup=False, highlight=False)
    return urls, bad


class _BarProgress:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("ingesting", total=None)

    def start(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def advance(self) -> None:
        self.progress.advance(self.task)


@contextlib.contextmanager
def _progress(console: Console, show: bool) -> Iterator[_BarProgress | None]:
    if not show:
        yield None
        return
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        yield _BarProgress(progress)


async def run(settings: Settings, sources: Sequence[str], *, once: bool, interval: float, console: Console) -> int:
    """The command's body; its exit code: 0, or 1 when a source could not be read (`--once`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    client = producer(settings)
    fetcher = Fetcher(settings)
    seen = SeenUrls(settings, client)
    server = None
    try:
        await start_with_retry(client.start, settings.kafka_connect_timeout, settings)
        await seen.start()
        if settings.ingest_metrics_port and not once:
            server, _thread = start_http_server(
                settings.ingest_metrics_port, settings.ingest_metrics_host, registry=metrics.REGISTRY
            )

        def report(line: str) -> None:
            console.print(line, markup=False, highlight=False)

        ingester = Ingester(settings, fetcher, seen, client, report)
        while not stop.is_set():
            try:
                result = await _one_pass(ingester, sources, console, once, stop)
            except KafkaError as exc:
                if once:
                    raise
                # A service outlives a broker outage: the pass's unpublished pages are tried again next time.
                report(f"ingest pass failed: Kafka: {exc!r}")
                metrics.FAILED.labels("pass", "kafka").inc()
            else:
                if result is None:  # stopped in the middle
                    break
                report(f"ingest pass: {result.summary()}")
                if once:
                    print(f"new={result.new} skipped={result.skipped} failed={result.failed}", flush=True)
                    return 0 if result.sources_failed == 0 else 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
        return 0
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        if server is not None:
            server.shutdown()
            server.server_close()
        await fetcher.close()
        await seen.stop()
        await client.stop()


async def _one_pass(
    ingester: Ingester, sources: Sequence[str], console: Console, once: bool, stop: asyncio.Event
) -> PassReport | None:
    """A pass, cancelled when `stop` is set first (publications under way still finish)."""
    urls, bad = expand_sources(sources, console)
    with _progress(console, show=once) as progress:
        work = asyncio.create_task(ingester.run_pass(urls, progress))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
            await ingester.drain()
            return None
    result = work.result()
    result.sources_failed += bad
    metrics.LAST_PASS.set(time.time())
    return result
