"""Throughput against spaCy's own limit, scaling with workers, latency and memory: measured side by side.

    python benchmarks/throughput.py --corpus ../shared/data/polnear/train.jsonl            # full run
    python benchmarks/throughput.py --corpus ... --articles 40 --soak-seconds 60           # quick check

One run, one machine, one model, the same components (`streams.nlp.load()`), in this order:

1. sweep   spaCy's bare `nlp.pipe` over the first `--sweep-articles` texts at each of `--batch-sizes`,
           in a fresh process; the fastest batch size is used everywhere below (SPACY_BATCH_SIZE).
2. limit   in one fresh process, over the first `--articles` articles, interleaved A B C C B A over the
           two halves of the corpus so that a drift of the machine's load hits all three alike:
             A  bare `nlp.pipe(texts)`                               -> the limit (steady state)
             B  `Enricher.enrich` + `events.dumps`, as `streams enrich` does it
             C  `Enricher.enrich_raw` in worker batches, as a parser process does it
3. whole   whole processes, timed from spawn to exit, A B B A: the bare limit (a process that loads the
           pipeline, reads the texts, runs `nlp.pipe` and exits) and the real `streams enrich <tmp.jsonl>
           > /dev/null`: start-up, the cold first batch and exit count on both sides.
4. kafka   a local broker (`--broker-dir`, `--port`), then 1 and 2 `streams worker` processes with the
           production table store (`--store`, rocksdb:// as in the container image), each warmed up
           (model loaded, partitions assigned) before the clock starts: publish N articles (partition
           round-robin), time until N enriched articles have arrived.
5. limit   bare `nlp.pipe` again (fresh process), to bracket the Kafka phases against load drift.
6. soak    `--soak-workers` workers for `--soak-seconds` at `--load-fraction` of their measured maximum rate,
           evenly spaced: publish-to-enriched latency of every article, each worker's RSS (worker process +
           its parser children, psutil) every `--rss-interval` seconds.

Every phase also records the CPU the rest of the machine (other developers' test runs) used meanwhile.
Writes `<out>.json` and `<out>.png` (throughput against workers, latency CDF, RSS over time), prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "polnear" / "train.jsonl"
RESULTS = PROJECT_ROOT / "benchmarks" / "results"
sys.path.insert(0, str(PROJECT_ROOT))  # for tests.support (imported where used)


# --- child processes: the limit and the in-process paths --------------------------------------------------


def child_main(argv: Sequence[str]) -> None:
    """`throughput.py --child sweep|limit ...`: measure in a fresh process, print one JSON line on stdout."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("sweep", "limit", "bare"))
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--batch-sizes", default="32")
    parser.add_argument("--worker-batch", type=int, default=16)
    args = parser.parse_args(argv)
    if args.child == "bare":
        bare_process(args.corpus, int(args.batch_sizes))
        return
    started = _process_age()  # interpreter start-up before this line counts too
    from streams import nlp as streams_nlp
    from streams.settings import Settings

    settings = Settings()
    nlp = streams_nlp.load(settings.spacy_model)
    raws = [line for line in args.corpus.read_bytes().splitlines() if line.strip()]
    texts = [orjson.loads(raw)["text"] for raw in raws]
    ready = _process_age()
    ready_cpu = time.process_time()
    list(nlp.pipe(texts[:2]))  # warm: first-call allocations do not count against anyone
    out: dict[str, object] = {
        "startup_seconds": ready,
        "startup_cpu_seconds": ready_cpu,
        "startup_before_main": started,
        "pipe_names": nlp.pipe_names,
        "words": sum(len(t.split()) for t in texts),
        "articles": len(texts),
    }
    if args.child == "sweep":
        # Two rounds, the second in reverse order, so a drift of the machine's load hits every size alike.
        sizes = [int(s) for s in args.batch_sizes.split(",")]
        sweep = dict.fromkeys(sizes, 0.0)
        sweep_cpu = dict.fromkeys(sizes, 0.0)
        for size in sizes + sizes[::-1]:
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in nlp.pipe(texts, batch_size=size):
                pass
            sweep[size] += (time.perf_counter() - t0) / 2
            sweep_cpu[size] += (time.process_time() - c0) / 2
        out["sweep_seconds"] = sweep
        out["sweep_cpu_seconds"] = sweep_cpu
    else:
        from streams import events
        from streams.enrich import Enricher

        size = int(args.batch_sizes)
        enricher = Enricher(nlp, settings.model_copy(update={"spacy_batch_size": size}))

        def pipe(part: list[int]) -> None:
            for _ in nlp.pipe([texts[i] for i in part], batch_size=size):
                pass

        def enrich(part: list[int]) -> None:
            for event in enricher.enrich(enricher.validate(raws[i]) for i in part):
                events.dumps(event)

        def process(part: list[int]) -> None:
            for start in range(0, len(part), args.worker_batch):
                enricher.enrich_raw([raws[i] for i in part[start : start + args.worker_batch]])

        half = len(texts) // 2
        halves = [list(range(half)), list(range(half, len(texts)))]
        seconds = {"pipe": 0.0, "enrich": 0.0, "process": 0.0}
        cpu_seconds = dict.fromkeys(seconds, 0.0)
        queued_seconds = dict.fromkeys(seconds, 0.0)  # runnable, waiting for a core: other processes' fault
        order = [("pipe", 0), ("enrich", 0), ("process", 0), ("process", 1), ("enrich", 1), ("pipe", 1)]
        functions = {"pipe": pipe, "enrich": enrich, "process": process}
        for name, which in order:
            if not halves[which]:
                continue
            t0, c0, q0 = time.perf_counter(), time.process_time(), schedstat()[1]
            functions[name](halves[which])
            seconds[name] += time.perf_counter() - t0
            cpu_seconds[name] += time.process_time() - c0
            queued_seconds[name] += schedstat()[1] - q0
        out["seconds"] = seconds
        out["cpu_seconds"] = cpu_seconds
        out["queued_seconds"] = queued_seconds
        out["batch_size"] = size
    print(json.dumps(out))


def bare_process(corpus: Path, batch_size: int) -> None:
    """The whole-process limit: load the pipeline, read the texts, `nlp.pipe` them, exit. Timed from spawn to
    exit by the parent, exactly like `streams enrich`; nothing warmed, nothing printed."""
    from streams import nlp as streams_nlp
    from streams.settings import Settings

    nlp = streams_nlp.load(Settings().spacy_model)
    texts = [orjson.loads(line)["text"] for line in corpus.read_bytes().splitlines() if line.strip()]
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    print("{}")


def schedstat(pid: int | str = "self") -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of a process's main thread, from the kernel."""
    try:
        on_cpu, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
        return int(on_cpu) / 1e9, int(waiting) / 1e9
    except (OSError, ValueError):
        return 0.0, 0.0


def _process_age() -> float:
    """Seconds since this process was created (by the kernel's clock, so interpreter start-up counts)."""
    import psutil

    return time.time() - psutil.Process().create_time()


# --- CPU accounting: what we used, what the rest of the machine used ---------------------------------------


class CpuMeter:
    """System-wide busy CPU seconds over a phase, split into ours (this process tree + broker) and others'."""

    def __init__(self, broker_pid: int | None = None) -> None:
        import psutil

        self.psutil = psutil
        self.broker_pid = broker_pid
        self.t0 = time.monotonic()
        self.sys0 = self._busy()
        self.our0 = self._ours()
        self.load0 = os.getloadavg()[0]

    def _busy(self) -> float:
        t = self.psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    def _ours(self) -> float:
        own = self.psutil.Process().cpu_times()
        total = own.user + own.system + own.children_user + own.children_system
        for child in self.psutil.Process().children(recursive=True):  # still running: not yet in children_*
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except self.psutil.Error:
                pass
        if self.broker_pid:
            try:
                b = self.psutil.Process(self.broker_pid).cpu_times()
                total += b.user + b.system
            except self.psutil.Error:
                pass
        return total

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.t0
        busy = self._busy() - self.sys0
        ours = self._ours() - self.our0
        cores = self.psutil.cpu_count() or 1
        return {
            "wall_seconds": round(wall, 2),
            "machine_busy_cores": round(busy / wall, 2) if wall else 0.0,
            "our_cores": round(ours / wall, 2) if wall else 0.0,
            "others_cores": round(max(busy - ours, 0.0) / wall, 2) if wall else 0.0,
            "cores": cores,
            "loadavg_start": round(self.load0, 2),
            "loadavg_end": round(os.getloadavg()[0], 2),
        }


def timed_run(
    cmd: list[str], env: dict[str, str], what: str, stdout: int = subprocess.PIPE
) -> tuple[bytes, float, float]:
    """Run `cmd` in a session of its own, timed from spawn to exit: (its stdout, wall seconds, CPU seconds).
    Raises with the end of its stderr if it fails."""
    t0, c0 = time.perf_counter(), children_cpu()
    done = subprocess.run(
        cmd, env=env, cwd=PROJECT_ROOT, stdout=stdout, stderr=subprocess.PIPE, check=False, start_new_session=True
    )
    wall, cpu = time.perf_counter() - t0, children_cpu() - c0
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr.decode(errors='replace')[-3000:]}")
    return done.stdout or b"", wall, cpu


def run_child(kind: str, corpus: Path, batch_sizes: str, env: dict[str, str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--corpus", str(corpus)]
    cmd += ["--batch-sizes", batch_sizes]
    stdout, wall, cpu = timed_run(cmd, env, f"child {kind}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["process_wall_seconds"] = wall
    result["process_cpu_seconds"] = cpu
    return result


def run_offline(corpus: Path, env: dict[str, str]) -> dict:
    """The real `streams enrich <corpus> > /dev/null`, timed from spawn to exit."""
    cmd = [sys.executable, "-m", "streams.cli", "enrich", str(corpus)]
    _, wall, cpu = timed_run(cmd, env, "streams enrich", stdout=subprocess.DEVNULL)
    return {"process_wall_seconds": wall, "process_cpu_seconds": cpu}


def children_cpu() -> float:
    """CPU seconds of this process's waited-for children so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- workers on the local broker --------------------------------------------------------------------------


def tree_totals(pid: int, measure: Callable[[object], float]) -> tuple[float, float] | None:
    """`measure` of a process, and summed over its children (the parsers); None if the process is gone."""
    import psutil

    try:
        me = psutil.Process(pid)
        own = measure(me)
        kids = 0.0
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                kids += measure(child)
        return own, kids
    except psutil.Error:
        return None


@dataclass
class Worker:
    """`streams worker` (tests.support.WorkerProcess, in its own session) with the benchmark's probes."""

    settings: object
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> Worker:
        # Imported here: the limit's child processes run this module too, and their start-up is measured.
        from tests.support import WorkerProcess

        self._worker = WorkerProcess(self.settings, self.log_path, new_session=True).start()  # type: ignore[arg-type]
        self.process = self._worker.process
        return self

    def alive(self) -> bool:
        return self._worker.alive

    def log_tail(self, chars: int = 3000) -> str:
        return self._worker.log()[-chars:]

    def batches_logged(self) -> int:
        return self._worker.log().count("batch: ")

    def rss(self) -> tuple[int, int] | None:
        """(worker process RSS, its children's RSS) in bytes, or None if it is gone."""
        totals = tree_totals(self.process.pid, lambda p: p.memory_info().rss)  # type: ignore[union-attr,attr-defined]
        return None if totals is None else (int(totals[0]), int(totals[1]))

    def cpu(self) -> tuple[float, float]:
        """CPU seconds (user + system) so far of the worker process, and of its children (the parsers)."""
        totals = tree_totals(self.process.pid, lambda p: sum(p.cpu_times()[:2]))  # type: ignore[union-attr,attr-defined]
        return totals or (0.0, 0.0)

    def parser_schedstat(self) -> tuple[float, float]:
        """Summed over the worker's children: (seconds on a CPU, seconds runnable but waiting for one)."""
        import psutil

        try:
            kids = psutil.Process(self.process.pid).children(recursive=True)  # type: ignore[union-attr]
        except psutil.Error:
            return 0.0, 0.0
        stats = [schedstat(child.pid) for child in kids]
        return sum(s[0] for s in stats), sum(s[1] for s in stats)

    def stop(self, timeout: float = 90) -> int | None:
        return None if self.process is None else self._worker.terminate(timeout)


@dataclass
class Kafka:
    """The benchmark's broker and the clients around it."""

    base: object  # Settings
    partitions: int
    workdir: Path
    broker_pid: int | None = None
    warmup_stalls: list[str] = field(default_factory=list)

    def phase_settings(self, name: str, port: int) -> object:
        from tests.support import topic_settings

        prefix = f"bench{uuid.uuid4().hex[:8]}-{name}"
        return topic_settings(
            self.base,  # type: ignore[arg-type]
            prefix,
            topic_partitions=self.partitions,
            data_dir=self.workdir / prefix,
            worker_web_port=port,
        )


def broker_cpu(pid: int | None) -> float:
    import psutil

    try:
        return sum(psutil.Process(pid).cpu_times()[:2]) if pid else 0.0
    except psutil.Error:
        return 0.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_id(raw: bytes, suffix: str) -> tuple[bytes, bytes]:
    data = orjson.loads(raw)
    data["id"] = f"{data['id']}{suffix}"
    return data["id"].encode(), orjson.dumps(data)


class Watcher:
    """Reads the enriched topic from its current end; records each article id's arrival time."""

    def __init__(self, settings: object) -> None:
        self.settings = settings
        self.arrivals: dict[bytes, float] = {}
        self.client = None

    async def start(self) -> None:
        from streams.clients import consumer

        # Each phase has fresh topics: read them from offset 0 (no race with an offset reset to "latest").
        # Subscribed without a group: the client assigns itself every partition once metadata has them.
        name = self.settings.topic("enriched")  # type: ignore[attr-defined]
        self.client = consumer(self.settings, name, from_beginning=True, max_partition_fetch_bytes=8 * 1_048_576)
        await self.client.start()

    async def poll(self, timeout_ms: int = 100) -> None:
        batches = await self.client.getmany(timeout_ms=timeout_ms)
        now = time.monotonic()
        for records in batches.values():
            for record in records:
                self.arrivals.setdefault(record.key, now)

    async def wait_for(self, keys: set[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not keys <= self.arrivals.keys():
            if time.monotonic() > deadline:
                missing = len(keys - self.arrivals.keys())
                raise TimeoutError(f"{missing} of {len(keys)} enriched articles still missing after {timeout}s")
            await self.poll()

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.stop()


async def start_workers(kafka: Kafka, name: str, count: int, log_dir: Path) -> tuple[object, list[Worker], Watcher]:
    """Start `count` workers on fresh topics and warm them up: each has processed a batch, so it has loaded
    its model and holds partitions, before any clock starts."""
    from streams.clients import ensure_topics, producer

    settings = kafka.phase_settings(name, 0)
    await ensure_topics(settings)
    workers = [
        Worker(
            # Each worker its own DATA_DIR: RocksDB locks a table's files to one process.
            settings.model_copy(update={"worker_web_port": free_port(), "data_dir": settings.data_dir / f"worker{i}"}),  # type: ignore[attr-defined]
            log_dir / f"{name}-worker{i}.log",
        ).start()
        for i in range(count)
    ]
    watcher = Watcher(settings)
    client = producer(settings)
    try:
        await watcher.start()
        await client.start()
        sample = DEFAULT_WARMUP
        # Rounds of one article per partition until a whole round came back and every worker has logged a
        # batch. A round that does not come back within a minute is counted (a worker that holds partitions
        # but does not process them is a finding) and the next one is sent.
        for round_ in range(20):
            keys = set()
            for p in range(kafka.partitions):
                key = f"warmup-{round_}-{p}".encode()
                keys.add(key)
                value = orjson.dumps({"id": key.decode(), "text": sample})
                await client.send_and_wait(settings.topic("articles"), value=value, key=key, partition=p)  # type: ignore[attr-defined]
            try:
                await watcher.wait_for(keys, timeout=60)
            except TimeoutError as exc:
                for worker in workers:
                    if not worker.alive():
                        raise RuntimeError(f"a worker died while warming up:\n{worker.log_tail()}") from exc
                print(f"warm-up round {round_}: {exc}", file=sys.stderr, flush=True)
                kafka.warmup_stalls.append(f"{name} round {round_}: {exc}")
                continue
            if all(w.batches_logged() > 0 for w in workers):
                break
            await asyncio.sleep(2)
        else:
            raise TimeoutError("workers did not all get partitions and process them")
        await asyncio.sleep(1)  # let the last warm-up batch's acknowledgements settle
    except BaseException:
        await watcher.stop()
        for worker in workers:
            worker.stop()
        raise
    finally:
        await client.stop()
    return settings, workers, watcher


DEFAULT_WARMUP = (
    'The mayor said on Monday that "the bridge will reopen in May", according to a statement. '
    "Officials in Springfield told reporters the repairs had cost more than expected."
)


async def throughput_phase(kafka: Kafka, count: int, messages: list[tuple[bytes, bytes]], log_dir: Path) -> dict:
    from streams.clients import producer

    settings, workers, watcher = await start_workers(kafka, f"w{count}", count, log_dir)
    meter = CpuMeter(kafka.broker_pid)
    rss: list[list] = []
    cpu0 = [w.cpu() for w in workers]
    sched0 = [w.parser_schedstat() for w in workers]
    broker0 = broker_cpu(kafka.broker_pid)
    bench0 = time.process_time()
    try:
        client = producer(settings)
        await client.start()
        sent: dict[bytes, float] = {}
        t0 = time.monotonic()
        futures = []
        for i, (key, value) in enumerate(messages):
            sent[key] = time.monotonic()
            futures.append(
                await client.send(settings.topic("articles"), value=value, key=key, partition=i % kafka.partitions)  # type: ignore[attr-defined]
            )
        await asyncio.gather(*futures)
        published = time.monotonic() - t0
        await client.stop()
        deadline = time.monotonic() + 3600
        keys = set(sent)
        next_rss = 0.0
        while not keys <= watcher.arrivals.keys():
            if time.monotonic() > deadline:
                raise TimeoutError("throughput phase did not finish")
            await watcher.poll(200)
            if time.monotonic() >= next_rss:
                rss.append([round(time.monotonic() - t0, 1), *[w.rss() for w in workers]])
                next_rss = time.monotonic() + 5
        elapsed = max(watcher.arrivals[k] for k in keys) - t0
        cpu1 = [w.cpu() for w in workers]
        sched1 = [w.parser_schedstat() for w in workers]
        broker1 = broker_cpu(kafka.broker_pid)
        bench1 = time.process_time()
    finally:
        await watcher.stop()
        codes = [w.stop() for w in workers]
    cpu = meter.stop()
    latencies = sorted(watcher.arrivals[k] - sent[k] for k in sent)
    return {
        "workers": count,
        "articles": len(messages),
        "seconds": elapsed,
        "articles_per_second": len(messages) / elapsed,
        "publish_seconds": published,
        "worker_exit_codes": codes,
        "last_latency_seconds": latencies[-1],
        # CPU seconds each worker spent over the phase: its own process (event loop, Kafka) and its parsers.
        "worker_cpu_seconds": [round(b[0] - a[0], 2) for a, b in zip(cpu0, cpu1, strict=True)],
        "parser_cpu_seconds": [round(b[1] - a[1], 2) for a, b in zip(cpu0, cpu1, strict=True)],
        # The parsers' time split: on a core, runnable but queued (contention), the rest idle (waiting for work).
        "parser_on_cpu_seconds": [round(b[0] - a[0], 2) for a, b in zip(sched0, sched1, strict=True)],
        "parser_queued_seconds": [round(b[1] - a[1], 2) for a, b in zip(sched0, sched1, strict=True)],
        "broker_cpu_seconds": round(broker1 - broker0, 2),
        "bench_cpu_seconds": round(bench1 - bench0, 2),
        "rss_samples": rss,
        "cpu": cpu,
    }


async def soak_phase(
    kafka: Kafka,
    count: int,
    rate: float,
    seconds: float,
    corpus: list[bytes],
    log_dir: Path,
    rss_interval: float,
) -> dict:
    from streams.clients import producer

    settings, workers, watcher = await start_workers(kafka, f"soak{count}", count, log_dir)
    meter = CpuMeter(kafka.broker_pid)
    sent: dict[bytes, float] = {}
    rss: list[dict] = []
    stop = asyncio.Event()

    async def consume() -> None:
        while not stop.is_set():
            await watcher.poll(50)

    async def sample_rss(t0: float) -> None:
        while not stop.is_set():
            row: dict = {"t": round(time.monotonic() - t0, 1)}
            for i, w in enumerate(workers):
                row[f"worker{i}"] = w.rss()
            rss.append(row)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rss_interval)

    client = producer(settings, linger_ms=0)
    await client.start()
    t0 = time.monotonic()
    tasks = [asyncio.create_task(consume()), asyncio.create_task(sample_rss(t0))]
    try:
        interval = 1.0 / rate
        i = 0
        while True:
            due = t0 + i * interval
            if due - t0 >= seconds:
                break
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key, value = with_id(corpus[i % len(corpus)], f"~soak{i}")
            sent[key] = time.monotonic()
            await client.send(settings.topic("articles"), value=value, key=key, partition=i % kafka.partitions)  # type: ignore[attr-defined]
            i += 1
        await client.flush()
        publish_end = time.monotonic() - t0
        deadline = time.monotonic() + 300
        while not sent.keys() <= watcher.arrivals.keys() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await client.stop()
        await watcher.stop()
        codes = [w.stop() for w in workers]
    cpu = meter.stop()
    arrived = [watcher.arrivals[k] - sent[k] for k in sent if k in watcher.arrivals]
    latencies = sorted(arrived)
    return {
        "workers": count,
        "target_rate": rate,
        "published": len(sent),
        "arrived": len(latencies),
        "publish_seconds": publish_end,
        "latencies": latencies,
        "p50": percentile(latencies, 50),
        "p90": percentile(latencies, 90),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else None,
        "rss": rss,
        "worker_exit_codes": codes,
        "cpu": cpu,
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[index]


def rss_summary(rows: list[dict], count: int, skip_seconds: float = 60.0) -> list[dict]:
    """Per worker: total (worker + parsers) RSS at start, end, max, and its trend after the first minute."""
    out = []
    for i in range(count):
        points = [(r["t"], sum(r[f"worker{i}"])) for r in rows if r.get(f"worker{i}")]
        if not points:
            out.append({})
            continue
        mb = [(t, v / 1e6) for t, v in points]
        last = next(r[f"worker{i}"] for r in reversed(rows) if r.get(f"worker{i}"))
        steady = [(t, v) for t, v in mb if t >= skip_seconds] or mb
        slope = 0.0
        if len(steady) >= 3:
            ts = [t for t, _ in steady]
            vs = [v for _, v in steady]
            slope = statistics.linear_regression(ts, vs).slope * 60
        minute = [v for t, v in steady if t <= steady[0][0] + 60]
        last_minute = [v for t, v in steady if t >= steady[-1][0] - 60]
        out.append(
            {
                "start_mb": round(mb[0][1], 1),
                "end_mb": round(mb[-1][1], 1),
                "max_mb": round(max(v for _, v in mb), 1),
                "first_steady_minute_mean_mb": round(statistics.mean(minute), 1),
                "last_minute_mean_mb": round(statistics.mean(last_minute), 1),
                "trend_mb_per_minute": round(slope, 2),
                "worker_process_end_mb": round(last[0] / 1e6, 1),
                "parsers_end_mb": round(last[1] / 1e6, 1),
            }
        )
    return out


# --- the run ---------------------------------------------------------------------------------------------


def main() -> None:
    if "--child" in sys.argv:
        child_main(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="PolNeAR-style JSON lines")
    parser.add_argument("--articles", type=int, default=200, help="the first N articles (default 200)")
    parser.add_argument("--batch-sizes", default="8,16,32,64", help="spaCy batch sizes tried for the limit")
    parser.add_argument("--sweep-articles", type=int, default=32, help="articles for the batch-size sweep")
    parser.add_argument("--workers", default="1,2", help="worker counts for the throughput phases")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of the benchmark's topics")
    parser.add_argument("--soak-seconds", type=float, default=600)
    parser.add_argument("--soak-workers", type=int, default=2)
    parser.add_argument("--load-fraction", type=float, default=0.5, help="soak rate / measured max rate")
    parser.add_argument("--rss-interval", type=float, default=5.0)
    parser.add_argument("--store", default="rocksdb://", help="the workers' table store (STORE_URL)")
    parser.add_argument("--port", type=int, default=39092)
    parser.add_argument("--broker-dir", type=Path, default=PROJECT_ROOT / ".kafka-bench")
    parser.add_argument("--out", type=Path, default=RESULTS / "throughput", help="writes OUT.json and OUT.png")
    parser.add_argument("--skip-kafka", action="store_true", help="only the limit and offline phases")
    parser.add_argument("--replot", type=Path, help="only redraw the plot and table of a results JSON")
    parser.add_argument("--only-soak", action="store_true", help="only the soak, at --soak-rate (for A/B runs)")
    parser.add_argument("--soak-rate", type=float, help="articles/s for --only-soak")
    args = parser.parse_args()
    if args.replot:
        results = orjson.loads(args.replot.read_bytes())
        plot(results, args.replot.with_suffix(".png"))
        print_table(results)
        return
    asyncio.run(run_soak_only(args) if args.only_soak else run(args))


def bench_settings(base: object, args: argparse.Namespace) -> object:
    """`base` Settings for the benchmark's own broker (`--port`, `--broker-dir`) and store (`--store`)."""
    return base.model_copy(  # type: ignore[attr-defined]
        update={
            "kafka_bootstrap_servers": f"127.0.0.1:{args.port}",
            "broker_dir": args.broker_dir,
            "store_url": args.store,
        }
    )


async def run_soak_only(args: argparse.Namespace) -> None:
    """Only the soak, at a given rate: to compare settings (e.g. WORKER_BATCH_SECONDS) under the same load."""
    from streams.broker import LocalBroker
    from streams.settings import Settings

    if not args.soak_rate:
        raise SystemExit("--only-soak needs --soak-rate")
    lines = [line for line in args.corpus.read_bytes().splitlines() if line.strip()][: args.articles]
    base = Settings()
    kafka_settings = bench_settings(base, args)
    broker = LocalBroker(kafka_settings)
    was_running = broker.status().running
    status = broker.start(timeout=240)
    workdir = Path(tempfile.mkdtemp(prefix="streams-bench-"))
    (workdir / "logs").mkdir()
    try:
        kafka = Kafka(kafka_settings, args.partitions, workdir, status.pid)
        soak = await soak_phase(
            kafka, args.soak_workers, args.soak_rate, args.soak_seconds, lines, workdir / "logs", args.rss_interval
        )
    finally:
        if not was_running:
            broker.stop()
    soak["rss_summary"] = rss_summary(soak["rss"], args.soak_workers)
    soak["worker_batch_seconds"] = base.worker_batch_seconds
    soak["worker_batch_size"] = base.worker_batch_size
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_bytes(orjson.dumps({"soak": soak}, option=orjson.OPT_INDENT_2))
    print(
        f"WORKER_BATCH_SECONDS={base.worker_batch_seconds} rate {args.soak_rate}: p50 {soak['p50']:.2f}s "
        f"p90 {soak['p90']:.2f}s p99 {soak['p99']:.2f}s max {soak['max']:.2f}s, "
        f"{soak['arrived']} of {soak['published']} arrived; machine {soak['cpu']}"
    )


async def run(args: argparse.Namespace) -> None:
    import psutil

    from streams.settings import Settings

    lines = [line for line in args.corpus.read_bytes().splitlines() if line.strip()][: args.articles]
    words = sum(len(orjson.loads(line)["text"].split()) for line in lines)
    workdir = Path(tempfile.mkdtemp(prefix="streams-bench-"))
    corpus = workdir / "articles.jsonl"
    corpus.write_bytes(b"\n".join(lines) + b"\n")
    sweep_corpus = workdir / "sweep.jsonl"
    sweep_corpus.write_bytes(b"\n".join(lines[: args.sweep_articles]) + b"\n")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    base = Settings()
    results: dict = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cores": psutil.cpu_count(),
            "physical_cores": psutil.cpu_count(logical=False),
            "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sched_autogroup_enabled": Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
            if Path("/proc/sys/kernel/sched_autogroup_enabled").exists()
            else None,
        },
        "corpus": {"path": str(args.corpus), "articles": len(lines), "words": words},
        "settings": {
            "spacy_model": base.spacy_model,
            "worker_processes": base.worker_processes,
            "worker_batch_size": base.worker_batch_size,
            "worker_batch_seconds": base.worker_batch_seconds,
            "spacy_batch_size_default": base.spacy_batch_size,
            "partitions": args.partitions,
            "store_url": args.store,
        },
    }
    say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731

    # 1. batch-size sweep
    say(f"[sweep] bare nlp.pipe over {args.sweep_articles} articles, batch sizes {args.batch_sizes}")
    meter = CpuMeter()
    sweep = run_child("sweep", sweep_corpus, args.batch_sizes, env)
    sweep["cpu"] = meter.stop()
    best = min(sweep["sweep_seconds"], key=lambda k: sweep["sweep_seconds"][k])
    results["sweep"] = sweep
    results["batch_size"] = int(best)
    say(f"[sweep] {sweep['sweep_seconds']} -> batch size {best}")
    env["SPACY_BATCH_SIZE"] = str(best)

    # 2. limit and in-process paths, ABBA
    say(f"[limit] {len(lines)} articles, {words} words: pipe / enrich / process interleaved")
    meter = CpuMeter()
    limit = run_child("limit", corpus, str(best), {**env, "SPACY_BATCH_SIZE": str(best)})
    limit["cpu"] = meter.stop()
    results["limit"] = limit
    say(f"[limit] {limit['seconds']} startup {limit['startup_seconds']:.2f}s, machine {limit['cpu']}")

    # 3. whole processes, A B B A: the bare limit process and the real `streams enrich`, each timed from spawn
    # to exit (start-up, cold first batch and exit included on both sides).
    say("[whole process] bare nlp.pipe process / streams enrich > /dev/null, A B B A")
    whole: dict[str, list[dict]] = {"bare": [], "offline": []}
    for kind in ("bare", "offline", "offline", "bare"):
        meter = CpuMeter()
        run = run_child("bare", corpus, str(best), env) if kind == "bare" else run_offline(corpus, env)
        run["cpu"] = meter.stop()
        whole[kind].append(run)
        say(f"[whole process] {kind}: {run['process_wall_seconds']:.1f}s, machine {run['cpu']}")
    results["whole_process"] = whole
    bare_wall = statistics.mean(r["process_wall_seconds"] for r in whole["bare"])
    offline_wall = statistics.mean(r["process_wall_seconds"] for r in whole["offline"])
    bare_cpu = statistics.mean(r["process_cpu_seconds"] for r in whole["bare"])
    offline_cpu = statistics.mean(r["process_cpu_seconds"] for r in whole["offline"])

    limit_pipe = limit["seconds"]["pipe"]
    summary: dict = {
        "limit_articles_per_second": len(lines) / limit_pipe,
        "limit_words_per_second": words / limit_pipe,
        "limit_whole_process_seconds": bare_wall,
        "offline_whole_process_seconds": offline_wall,
        "offline_ratio_whole_process": bare_wall / offline_wall,
        "offline_ratio_in_process": limit_pipe / limit["seconds"]["enrich"],
        # The same two comparisons in CPU seconds: immune to what the rest of the machine does.
        "offline_cpu_ratio_whole_process": bare_cpu / offline_cpu,
        "offline_cpu_ratio_in_process": limit["cpu_seconds"]["pipe"] / limit["cpu_seconds"]["enrich"],
        "parser_path_ratio_in_process": limit_pipe / limit["seconds"]["process"],
    }
    results["summary"] = summary

    if not args.skip_kafka:
        from streams.broker import LocalBroker

        kafka_settings = bench_settings(base, args)
        broker = LocalBroker(kafka_settings)
        was_running = broker.status().running
        say(f"[kafka] broker on {args.port} ({args.broker_dir})")
        status = broker.start(timeout=240)
        kafka = Kafka(kafka_settings, args.partitions, workdir, status.pid)
        log_dir = workdir / "logs"
        log_dir.mkdir(exist_ok=True)
        try:
            runs = []
            for count in [int(c) for c in args.workers.split(",")]:
                fresh = [with_id(line, f"~w{count}") for line in lines]
                say(f"[kafka] {count} worker(s): {len(fresh)} articles")
                phase = await throughput_phase(kafka, count, fresh, log_dir)
                say(f"[kafka] {count} worker(s): {phase['articles_per_second']:.3f} articles/s, machine {phase['cpu']}")
                runs.append(phase)
            results["workers"] = runs

            say("[limit again] bare nlp.pipe, fresh process")
            meter = CpuMeter(kafka.broker_pid)
            again = run_child("sweep", corpus, str(best), env)
            again["cpu"] = meter.stop()
            results["limit_again"] = again
            limit_again_pipe = again["sweep_seconds"][str(best)]

            by_count = {r["workers"]: r for r in runs}
            limit_rate = len(lines) / limit_pipe
            limit_again_rate = len(lines) / limit_again_pipe
            limit_mean = (limit_rate + limit_again_rate) / 2
            summary["limit_again_articles_per_second"] = limit_again_rate
            summary["limit_mean_articles_per_second"] = limit_mean
            limit_cpu = limit["cpu_seconds"]["pipe"] / len(lines)
            summary["limit_cpu_seconds_per_article"] = limit_cpu
            for count, r in by_count.items():
                summary[f"workers_{count}_articles_per_second"] = r["articles_per_second"]
                summary[f"workers_{count}_ratio_to_limit"] = r["articles_per_second"] / limit_mean
                # Contention-free view: CPU per article of the parsers against the limit's, and what the
                # worker processes themselves (event loop, Kafka clients) cost on top, on the other core.
                summary[f"workers_{count}_parser_cpu_ratio"] = limit_cpu / (sum(r["parser_cpu_seconds"]) / len(lines))
                summary[f"workers_{count}_worker_cpu_seconds_per_article"] = sum(r["worker_cpu_seconds"]) / len(lines)
                summary[f"workers_{count}_others_cores"] = r["cpu"]["others_cores"]
            if 1 in by_count and 2 in by_count:
                summary["two_worker_speedup"] = by_count[2]["articles_per_second"] / by_count[1]["articles_per_second"]

            if args.soak_seconds > 0:
                count = args.soak_workers
                top = by_count.get(count, runs[-1])["articles_per_second"]
                rate = args.load_fraction * top
                say(f"[soak] {count} worker(s) at {rate:.2f} articles/s for {args.soak_seconds:.0f}s")
                soak = await soak_phase(kafka, count, rate, args.soak_seconds, lines, log_dir, args.rss_interval)
                soak["rss_summary"] = rss_summary(soak["rss"], count)
                results["soak"] = soak
                summary["soak_p50_seconds"] = soak["p50"]
                summary["soak_p99_seconds"] = soak["p99"]
                summary["soak_rss"] = soak["rss_summary"]
            results["warmup_stalls"] = kafka.warmup_stalls
        finally:
            if not was_running:
                broker.stop()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_bytes(
        orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    )
    plot(results, args.out.with_suffix(".png"))
    print_table(results)
    say(f"wrote {args.out.with_suffix('.json')} and {args.out.with_suffix('.png')}")


def print_table(results: dict) -> None:
    s = results["summary"]
    rows = [
        ("articles / words", f"{results['corpus']['articles']} / {results['corpus']['words']}"),
        ("spaCy batch size (best of sweep)", results["batch_size"]),
        ("limit: bare nlp.pipe, words/s", f"{s['limit_words_per_second']:.0f}"),
        ("limit: bare nlp.pipe, articles/s", f"{s['limit_articles_per_second']:.3f}"),
        ("offline / limit, whole process (streams enrich)", f"{s['offline_ratio_whole_process']:.3f}"),
        ("offline / limit, in process (Enricher.enrich)", f"{s['offline_ratio_in_process']:.3f}"),
        ("offline / limit in CPU seconds, whole process", f"{s['offline_cpu_ratio_whole_process']:.3f}"),
        ("offline / limit in CPU seconds, in process", f"{s['offline_cpu_ratio_in_process']:.3f}"),
        ("parser path / limit, in process (Enricher.enrich_raw)", f"{s['parser_path_ratio_in_process']:.3f}"),
    ]
    if "limit_again_articles_per_second" in s:
        rows.append(("limit again after Kafka phases, articles/s", f"{s['limit_again_articles_per_second']:.3f}"))
    for key, value in s.items():
        if key.startswith("workers_") and key.endswith("_articles_per_second"):
            n = key.split("_")[1]
            rows.append((f"{n} worker(s) over Kafka, articles/s", f"{value:.3f}"))
            rows.append((f"{n} worker(s) / limit (mean of both limits)", f"{s[f'workers_{n}_ratio_to_limit']:.3f}"))
    if "limit_cpu_seconds_per_article" in s:
        rows.append(("limit: CPU seconds per article", f"{s['limit_cpu_seconds_per_article']:.3f}"))
        for key in s:
            if key.endswith("_parser_cpu_ratio"):
                n = key.split("_")[1]
                rows.append((f"{n} worker(s): limit CPU / parser CPU per article", f"{s[key]:.3f}"))
                rows.append(
                    (
                        f"{n} worker(s): worker-process CPU s/article, others' cores busy",
                        f"{s[f'workers_{n}_worker_cpu_seconds_per_article']:.3f}, {s[f'workers_{n}_others_cores']}",
                    )
                )
    if "two_worker_speedup" in s:
        rows.append(("2 workers / 1 worker", f"{s['two_worker_speedup']:.3f}"))
    if "soak" in results:
        soak = results["soak"]
        rows.append(
            (
                f"soak: {soak['workers']} workers at {soak['target_rate']:.2f} articles/s "
                f"({soak['arrived']} of {soak['published']} arrived)",
                f"p50 {soak['p50']:.2f}s p99 {soak['p99']:.2f}s max {soak['max']:.2f}s",
            )
        )
        for i, r in enumerate(soak["rss_summary"]):
            if r:
                rows.append(
                    (
                        f"worker {i} RSS (worker + parsers), MB",
                        f"start {r['start_mb']} end {r['end_mb']} max {r['max_mb']} "
                        f"trend {r['trend_mb_per_minute']}/min",
                    )
                )
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    s = results["summary"]
    ax = axes[0]
    limit = s.get("limit_mean_articles_per_second", s["limit_articles_per_second"])
    counts = [r["workers"] for r in results.get("workers", [])]
    rates = [r["articles_per_second"] for r in results.get("workers", [])]
    if counts:
        ax.plot(counts, rates, "o-", label="streams worker(s) over Kafka")
        ax.plot(counts, [limit * c for c in counts], "k--", alpha=0.5, label="n x limit (ideal)")
        for c, r in zip(counts, rates, strict=True):
            ax.annotate(f"{r:.2f}/s = {r / limit:.2f} x limit", (c, r), textcoords="offset points", xytext=(-30, -16))
        ax.set_xlim(0.5, max(counts) + 0.5)
    ax.axhline(limit, color="tab:red", alpha=0.6, label="limit: bare nlp.pipe, 1 process (mean)")
    if "limit_again_articles_per_second" in s:
        low, high = sorted((s["limit_articles_per_second"], s["limit_again_articles_per_second"]))
        ax.axhspan(low, high, color="tab:red", alpha=0.1, label="limit before / after the Kafka phases")
    ax.axhline(
        s["limit_articles_per_second"] * s["offline_ratio_in_process"],
        color="tab:green",
        alpha=0.6,
        ls=":",
        label="offline Enricher.enrich",
    )
    ax.set_xlabel("workers (1 parser process each)")
    ax.set_ylabel("articles / s")
    ax.set_title(f"Throughput ({results['machine']['cores']} cores, broker on the same cores)")
    ax.set_xticks(counts or [1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)

    ax = axes[1]
    soak = results.get("soak")
    if soak and soak["latencies"]:
        lat = soak["latencies"]
        ax.plot(lat, [(i + 1) / len(lat) for i in range(len(lat))])
        ax.set_xscale("log")
        for q, c in (("p50", "tab:green"), ("p99", "tab:red")):
            ax.axvline(soak[q], color=c, ls="--", label=f"{q} {soak[q]:.2f}s")
        ax.set_title(f"Publish-to-enriched latency, {soak['workers']} workers at {soak['target_rate']:.2f} art/s")
        ax.legend(fontsize=8)
    ax.set_xlabel("seconds")
    ax.set_ylabel("fraction of articles")

    ax = axes[2]
    if soak:
        for i in range(soak["workers"]):
            rows = [r for r in soak["rss"] if r.get(f"worker{i}")]
            minutes = [r["t"] / 60 for r in rows]
            line = ax.plot(minutes, [sum(r[f"worker{i}"]) / 1e6 for r in rows], label=f"worker {i} + parser")[0]
            color = line.get_color()
            ax.plot(
                minutes, [r[f"worker{i}"][0] / 1e6 for r in rows], ls="--", color=color, lw=1, label="  worker process"
            )
            ax.plot(
                minutes, [r[f"worker{i}"][1] / 1e6 for r in rows], ls=":", color=color, lw=1, label="  parser process"
            )
        ax.axhline(600, color="tab:red", ls="--", alpha=0.5, label="600 MB goal")
        ax.set_title("RSS over the soak")
        ax.legend(fontsize=8)
    ax.set_xlabel("minutes")
    ax.set_ylabel("MB")
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
