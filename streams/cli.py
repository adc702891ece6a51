"""The `streams` command: broker, worker, publish, subscribe, ingest, enrich, info, demo, eval."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterable
from typing import Annotated, Any, TypeVar

import typer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import streams
from streams import events
from streams.settings import LOGICAL_TOPICS, PROJECT_ROOT, WILDCARD_HOSTS, Settings, get_settings, private_dir

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
broker_app = typer.Typer(help="The local single-node Apache Kafka (KRaft) broker.", no_args_is_help=True)
app.add_typer(broker_app, name="broker")
err = Console(stderr=True)
T = TypeVar("T")

Paths = Annotated[list[str], typer.Argument(help=".txt files, JSON-lines files, folders, or - for stdin")]


def run_kafka(coroutine: Coroutine[Any, Any, T], settings: Settings, doing: str) -> T:
    """Run a command's Kafka work; a Kafka failure (no broker, refused login) is one readable line, exit 2."""
    try:
        return asyncio.run(coroutine)
    except KafkaError as exc:
        err.print(f"[red]cannot {doing} ({settings.kafka_bootstrap_servers}):[/red] {type(exc).__name__}: {exc}")
        raise typer.Exit(2) from None


def _settings(**overrides: object) -> Settings:
    base = get_settings()
    return base.model_copy(update={k: v for k, v in overrides.items() if v is not None})


# --- broker ------------------------------------------------------------------------------------------


@broker_app.command("start")
def broker_start(timeout: float = typer.Option(180, help="seconds to wait for the broker to answer")) -> None:
    """Start the broker (resolving its jars with Maven the first time); return once it answers."""
    from streams.broker import LocalBroker

    status = LocalBroker(get_settings()).start(timeout=timeout)
    err.print(f"kafka {status.version} running (pid {status.pid}) on {status.bootstrap}; data in {status.data_dir}")


@broker_app.command("stop")
def broker_stop() -> None:
    """Stop the broker cleanly (SIGTERM, then SIGKILL after a minute)."""
    from streams.broker import LocalBroker

    stopped = LocalBroker(get_settings()).stop()
    err.print("broker stopped" if stopped else "broker was not running")


@broker_app.command("status")
def broker_status() -> None:
    """Say whether the broker runs; exit 1 when it does not."""
    from streams.broker import LocalBroker

    status = LocalBroker(get_settings()).status()
    typer.echo(f"running: {status.running} pid: {status.pid} bootstrap: {status.bootstrap} data: {status.data_dir}")
    raise typer.Exit(0 if status.running else 1)


@broker_app.command("logs")
def broker_logs(lines: int = typer.Option(50, "--lines", "-n")) -> None:
    """Print the tail of the broker's log file."""
    from streams.broker import LocalBroker

    typer.echo(LocalBroker(get_settings()).logs(lines))


# --- worker ------------------------------------------------------------------------------------------


@app.command()
def worker(
    processes: Annotated[int | None, typer.Option(help="parser processes (WORKER_PROCESSES)")] = None,
    batch_size: Annotated[int | None, typer.Option(help="articles per batch (WORKER_BATCH_SIZE)")] = None,
    web_port: Annotated[int | None, typer.Option(help="HTTP port (WORKER_WEB_PORT)")] = None,
    loglevel: Annotated[str | None, typer.Option("--loglevel", "-l", help="LOG_LEVEL")] = None,
) -> None:
    """Run the stream worker (Faust) until SIGTERM or Ctrl-C; the batch in flight finishes first."""
    import faust

    from streams.clients import ensure_topics
    from streams.worker.app import build_app, internal_topics

    settings = _settings(
        worker_processes=processes, worker_batch_size=batch_size, worker_web_port=web_port, log_level=loglevel
    )
    # Faust creates only its last folder. The tables hold what the stream carried: owner only (0700), and
    # so is everything the worker writes inside (its RocksDB files).
    private_dir(settings.data_dir)
    os.umask(0o077)
    faust_app = build_app(settings)
    # Before the group join: a consumer that joins while its topic is missing ignores it for minutes.
    run_kafka(ensure_topics(settings, internal_topics(faust_app)), settings, "create the topics")
    logging.getLogger("aiokafka").setLevel(logging.NOTSET)  # the worker's log should show them
    faust.Worker(faust_app, loglevel=settings.log_level, quiet=True).execute_from_commandline()


# --- publish / subscribe -----------------------------------------------------------------------------


@app.command()
def publish(
    paths: Paths,
    topic: Annotated[str, typer.Option(help="logical topic to publish to")] = "articles",
) -> None:
    """Publish articles to Kafka (key = article id); exit non-zero if any send fails."""
    from streams.sources import read_messages

    settings = get_settings()
    messages = list(read_messages(paths))
    failed = run_kafka(_publish(settings, settings.topic(topic), messages), settings, "publish")
    if failed:
        err.print(f"[red]{failed} of {len(messages)} messages failed to send[/red]")
        raise typer.Exit(1)
    err.print(f"published {len(messages)} messages to {settings.topic(topic)}")


async def _publish(settings: Settings, topic: str, messages: list) -> int:
    from streams.clients import ensure_topics, producer

    await ensure_topics(settings)
    client = producer(settings)
    await client.start()
    failed = 0
    try:
        with Progress(
            TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
        ) as progress:
            task = progress.add_task("publish", total=len(messages))
            futures = [await client.send(topic, value=m.value, key=m.key) for m in messages]
            for message, future in zip(messages, futures, strict=True):
                try:
                    await future
                except Exception as exc:  # every failure is reported, none stops the others
                    failed += 1
                    err.print(f"[red]send failed[/red] {message.origin}: {exc!r}")
                progress.advance(task)
    finally:
        await client.stop()
    return failed


@app.command()
def subscribe(
    topic: Annotated[str, typer.Argument(help=f"one of {', '.join(LOGICAL_TOPICS)}")],
    from_beginning: Annotated[bool, typer.Option("--from-beginning", help="read from the oldest offset")] = False,
    limit: Annotated[int | None, typer.Option(help="stop after N events")] = None,
    timeout: Annotated[float | None, typer.Option(help="stop after S seconds without a new event")] = None,
    speaker: Annotated[str | None, typer.Option(help="only quotes with a speaker whose name contains this")] = None,
) -> None:
    """Print a topic's events as JSON lines on stdout."""
    settings = get_settings()
    try:
        name = settings.topic(topic)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None
    with contextlib.suppress(KeyboardInterrupt):
        run_kafka(_subscribe(settings, name, from_beginning, limit, timeout, speaker), settings, "subscribe")


async def _subscribe(
    settings: Settings, topic: str, from_beginning: bool, limit: int | None, timeout: float | None, speaker: str | None
) -> None:
    from streams.clients import read_topic

    printed = 0
    out = sys.stdout.buffer
    async for _key, value in read_topic(settings, topic, from_beginning=from_beginning, timeout=timeout):
        if speaker and not speaks_in(value, speaker):
            continue
        # A null value (a tombstone, from a compacted topic or another producer) is JSON's null: one line
        # per record, and every line still parses.
        out.write((b"null" if value is None else value) + b"\n")
        out.flush()
        printed += 1
        if limit is not None and printed >= limit:
            return


def speaks(event: dict, name: str) -> bool:
    """Whether a quote event (or an enriched article's quotes) has a speaker whose name contains `name`."""
    quotes = event.get("quotes", [event])
    needle = name.casefold()
    return any(needle in s.get("name", "").casefold() for q in quotes for s in q.get("speakers", ()))


def speaks_in(value: bytes | None, name: str) -> bool:
    """`speaks` for a raw record: a null, non-JSON or otherwise shaped value has no speaker (no crash)."""
    if value is None:
        return False
    try:
        event = events.loads(value)
        return isinstance(event, dict) and speaks(event, name)
    except (ValueError, TypeError, AttributeError):
        return False


# --- ingest ------------------------------------------------------------------------------------------


@app.command()
def ingest(
    sources: Annotated[
        list[str], typer.Argument(metavar="SOURCE...", help="RSS/Atom feed or news sitemap URLs, or files listing them")
    ],
    once: Annotated[bool, typer.Option("--once", help="one pass, then exit (1 if a source could not be read)")] = False,
    interval: Annotated[float, typer.Option(help="seconds between passes", min=1)] = 300,
) -> None:
    """Fetch new articles from feeds and news sitemaps, extract their main text, publish each page once."""
    from streams.ingest.service import check_sources, run

    if bad := check_sources(sources):
        raise typer.BadParameter(f"neither an http(s) URL nor a file: {', '.join(bad)}")
    settings = get_settings()
    code = run_kafka(run(settings, sources, once=once, interval=interval, console=err), settings, "ingest")
    raise typer.Exit(code)


# --- enrich (offline) --------------------------------------------------------------------------------


@app.command()
def enrich(paths: Paths) -> None:
    """Enrich articles with no Kafka: enriched articles as JSON lines on stdout (exit 1 if any is invalid or fails).

    A bare surname resolves to the person the articles before it named in full (`streams.people`).
    """
    from streams import nlp
    from streams.enrich import Enricher, Rejected
    from streams.people import KnownPeople
    from streams.sources import read_messages

    settings = get_settings()
    enricher = Enricher(nlp.load(settings.spacy_model), settings)
    invalid = 0

    def valid_articles() -> Iterable[events.Article]:
        nonlocal invalid
        for message in read_messages(paths):
            try:
                yield enricher.validate(message.value)
            except events.InvalidArticle as exc:
                invalid += 1
                err.print(f"[red]invalid article[/red] {message.origin}: {exc.reason}")

    out = sys.stdout.buffer
    known = KnownPeople()  # one for the run: each article resolved with what the ones before it taught
    for enriched in enricher.enrich(valid_articles()):
        if isinstance(enriched, Rejected):
            invalid += 1
            err.print(f"[red]{enriched.error}[/red]: {enriched.reason}")
            continue
        out.write(events.dumps(known.resolve(enriched)) + b"\n")
    out.flush()
    if invalid:
        raise typer.Exit(1)


# --- info --------------------------------------------------------------------------------------------


def describe(settings: Settings) -> dict:
    from streams.nlp import COMPONENTS

    return {
        "version": streams.__version__,
        "spacy_model": settings.spacy_model,
        "components": list(COMPONENTS),
        "kafka": {"bootstrap": settings.kafka_bootstrap_servers, "security_protocol": settings.kafka_security_protocol},
        "topics": settings.topics(),
        "partitions": settings.topic_partitions,
        "processing_guarantee": settings.processing_guarantee,
    }


@app.command()
def info(as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False) -> None:
    """Version, model, pipeline components, Kafka bootstrap and topic names."""
    details = describe(get_settings())
    if as_json:
        typer.echo(events.dumps(details).decode())
        return
    for key, value in details.items():
        typer.echo(f"{key}: {value}")


# --- demo --------------------------------------------------------------------------------------------


@app.command()
def demo(
    paths: Annotated[list[str] | None, typer.Argument(help="articles to publish (default: seeds/)")] = None,
    timeout: Annotated[float, typer.Option(help="give up after S seconds")] = 300,
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="leave the broker and worker up (their API stays on)")
    ] = False,
) -> None:
    """Start the broker and a worker, publish the seed articles, print each quote as it arrives, stop."""
    from streams.broker import LocalBroker

    settings = get_settings()
    broker = LocalBroker(settings)
    was_running = broker.status().running
    err.print("starting the local Kafka broker..." if not was_running else "using the running broker")
    broker.start()
    worker_process = None
    try:
        private_dir(settings.data_dir)
        worker_log = settings.data_dir / "demo-worker.log"
        with open(worker_log, "wb") as log_file:
            worker_process = subprocess.Popen(
                [sys.executable, "-m", "streams.cli", "worker"],
                env=os.environ.copy(),
                cwd=PROJECT_ROOT,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=keep_running,  # survives this command when it is to keep running
            )
        err.print(f"worker started (pid {worker_process.pid}, log {worker_log}); publishing...")
        count = run_kafka(
            _demo_run(settings, paths or [str(PROJECT_ROOT / "seeds")], timeout), settings, "run the demo"
        )
        err.print(f"[green]{count} quotes[/green]")
        show_api_summary(settings)
        if keep_running:
            api = local_api_url(settings)
            err.print(f"broker and worker keep running: open {api}/ ; stop with `kill {worker_process.pid}`")
            err.print("and `streams broker stop`")
            worker_process = None
            was_running = True
    finally:
        if worker_process is not None:
            terminate(worker_process, timeout=60)
        if not was_running:
            broker.stop()


def terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Stop a worker process: SIGTERM (it finishes its batch), SIGKILL if still there after `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def local_api_url(settings: Settings) -> str:
    """The worker's API as this machine reaches it: a worker bound to every interface answers on loopback."""
    host = settings.worker_web_host
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{settings.worker_web_port}"


def show_api_summary(settings: Settings, wait: float = 30) -> None:
    """What the worker's API now answers (tables fill a moment after the quotes arrive), on stderr."""
    import urllib.request

    api = local_api_url(settings)
    deadline = time.monotonic() + wait
    speakers: list[dict] = []
    trending: list[dict] = []
    while time.monotonic() < deadline and not (speakers and trending):
        try:
            with urllib.request.urlopen(f"{api}/speakers?top=5", timeout=5) as response:
                speakers = events.loads(response.read())["speakers"]
            with urllib.request.urlopen(f"{api}/entities/trending?window=1h", timeout=5) as response:
                trending = events.loads(response.read())["entities"][:8]
        except OSError:
            pass
        if not (speakers and trending):
            time.sleep(1)
    err.print(f"{api}/speakers: " + ", ".join(f"{s['name']} ({s['quote_count']})" for s in speakers))
    err.print(f"{api}/entities/trending: " + ", ".join(f"{e['name']} ({e['mentions']})" for e in trending))


async def _demo_run(settings: Settings, paths: list[str], timeout: float) -> int:
    """Publish, then print quote events until every published article's quotes have arrived."""
    from streams.clients import consumer, ensure_topics, topic_partitions
    from streams.sources import read_messages

    await ensure_topics(settings)
    watched = [settings.topic("enriched"), settings.topic("quotes")]
    client = consumer(settings, from_beginning=False)
    await client.start()
    try:
        partitions = await topic_partitions(client, watched)
        client.assign(partitions)
        await client.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end offsets now, before anything is published
            await client.position(tp)
        messages = list(read_messages(paths))
        if await _publish(settings, settings.topic("articles"), messages):
            raise typer.Exit(1)
        wanted = {m.key for m in messages}
        expected: dict[bytes, int] = {}
        printed: dict[bytes, int] = {}
        deadline = time.monotonic() + timeout
        while set(expected) != wanted or any(printed.get(k, 0) < n for k, n in expected.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"demo: only {len(expected)} of {len(wanted)} articles came back in {timeout}s")
            for tp, records in (await client.getmany(timeout_ms=1000)).items():
                for record in records:
                    if record.key not in wanted:
                        continue
                    if tp.topic == settings.topic("enriched"):
                        expected[record.key] = len(events.loads(record.value)["quotes"])
                    else:
                        sys.stdout.buffer.write(record.value + b"\n")
                        sys.stdout.flush()
                        printed[record.key] = printed.get(record.key, 0) + 1
        return sum(printed.values())
    finally:
        await client.stop()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    # aiokafka logs retried, transient errors (a fresh topic's leader election) at ERROR; the commands
    # report real failures themselves. The worker sets up its own logging (LOG_LEVEL).
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    app()


if __name__ == "__main__":
    main()
