"""`make faults`: a crash scenario with figures. Nothing may be lost, nothing may stall the worker.

A broker of its own (tmp folder, port 19492), one worker; the seed article published with varied ids,
hostile messages mixed in; the worker is SIGKILLed twice mid-stream and restarted. Then it counts:
articles published, lost (must be 0), duplicates (re-deliveries, all identical), dead-lettered (all the
hostile ones), and whether the last worker is alive.

Then the expensive inputs: an article with a 200,000-space line after a colon, one with 20,000 `AB: x`
transcript lines, one with 20,000 quotes, a 5.5 MB message, and a valid article after them. Each must be
enriched or dead-lettered (the oversize one dead-lettered), the worker must stay alive, and the valid
article must be enriched within 4 minutes of its publication. The report lists each message's fate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import orjson

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from streams.broker import LocalBroker  # noqa: E402
from streams.clients import consumer  # noqa: E402
from streams.settings import Settings  # noqa: E402
from tests.support import WorkerProcess, free_port, publish, topic_settings  # noqa: E402

#: Inputs that cost too much if any step of the pipeline is super-linear, or that no topic can carry.
EXPENSIVE = {
    key.encode(): orjson.dumps({"id": key, "text": text})  # keyed by the article id, as enriched events are
    for key, text in {
        "spaces-after-colon": "Opening line.\nAB:" + " " * 200_000 + "x\nClosing line.",
        "transcript-lines": "AB: x\n" * 20_000,
        "thousands-of-quotes": '"We will win this race," she said. ' * 20_000,
        "oversize-message": "word " * 1_100_000,  # 5.5 MB
    }.items()
}
#: The valid article published after them, and how long it may take.
AFTER = (
    b"valid-after-expensive",
    orjson.dumps({"id": "valid-after-expensive", "text": '"We are ready," the mayor said.'}),
)
AFTER_WITHIN = 240.0

HOSTILE = [
    b"not json",
    b'["a", "list"]',
    b'{"text": ""}',
    b'{"text": 12}',
    b"\xff\xfe invalid utf-8",
    b'{"text": "lone \\udc00 surrogate"}',
    b'{"text": "nul \\u0000 char"}',
    b"[" * 5000 + b"]" * 5000,
    b'{"text": "wrong optional type", "title": ["x"]}',
]


def source_of(dead_letter: bytes) -> tuple[int, int]:
    source = orjson.loads(dead_letter)["source"]
    return source["partition"], source["offset"]


async def collect(settings: Settings, wanted: set[bytes], hostile: int, kills: list[int], log_dir: Path) -> dict:
    """Read enriched and dead-letter topics while killing the worker at the given counts of articles."""
    client = consumer(settings, settings.topic_enriched, settings.topic_deadletter, from_beginning=True)
    await client.start()
    enriched: list[tuple[bytes | None, bytes]] = []
    letters: set[tuple[int, int]] = set()  # the dead-lettered inputs' (partition, offset): re-deliveries once
    worker = WorkerProcess(settings, log_dir / "worker-0.log").start()
    restarts = 0
    deadline = time.monotonic() + 1800
    try:
        while time.monotonic() < deadline:
            for tp, records in (await client.getmany(timeout_ms=500)).items():
                if tp.topic == settings.topic_enriched:
                    enriched += [(r.key, r.value) for r in records]
                else:
                    letters |= {source_of(r.value) for r in records}
            done = len({k for k, _ in enriched})
            if kills and done >= kills[0]:
                kills.pop(0)
                worker.kill()
                restarts += 1
                print(f"  SIGKILL at {done} articles enriched; restarting", flush=True)
                worker = WorkerProcess(settings, log_dir / f"worker-{restarts}.log").start()
            if done >= len(wanted) and len(letters) >= hostile:
                await asyncio.sleep(3)  # let late duplicates arrive too
                for tp, records in (await client.getmany(timeout_ms=1000)).items():
                    if tp.topic == settings.topic_enriched:
                        enriched += [(r.key, r.value) for r in records]
                    else:
                        letters |= {source_of(r.value) for r in records}
                break
        alive = worker.alive
    finally:
        worker.terminate()
        await client.stop()
    copies = Counter(k for k, _ in enriched)
    first: dict[bytes | None, bytes] = {}
    differing = sum(1 for k, v in enriched if first.setdefault(k, v) != v)
    return {
        "published": len(wanted),
        "lost": len(wanted - set(copies)),
        "duplicates": sum(n - 1 for n in copies.values()),
        "differing re-deliveries": differing,
        "dead-lettered": f"{len(letters)} of {hostile} hostile",
        "worker alive": alive,
        "restarts": restarts,
    }


async def expensive_inputs(settings: Settings, log_dir: Path) -> dict:
    """Publish the expensive inputs and a valid article after them; report each one's fate."""
    client = consumer(settings, settings.topic_enriched, settings.topic_deadletter, from_beginning=False)
    await client.start()
    await client.getmany(timeout_ms=1000)  # positions at the end, before publishing
    fates: dict[bytes, str] = {}
    wanted = {*EXPENSIVE, AFTER[0]}
    with WorkerProcess(settings, log_dir / "worker-expensive.log") as worker:
        await publish(settings, [*EXPENSIVE.items(), AFTER])
        published = time.monotonic()
        waited = 0.0
        try:
            while len(fates) < len(EXPENSIVE) + 1 and waited < 900 and worker.alive:
                for tp, records in (await client.getmany(timeout_ms=500)).items():
                    for record in records:
                        if record.key not in wanted:
                            continue  # a late re-delivery of the first scenario
                        if tp.topic == settings.topic_enriched:
                            fates[record.key] = f"enriched after {time.monotonic() - published:.0f} s"
                        else:
                            letter = orjson.loads(record.value)
                            cut = ", original truncated" if letter.get("original_truncated") else ""
                            fates[record.key] = f"dead-lettered ({letter['error']}{cut})"
                waited = time.monotonic() - published
            alive = worker.alive
        finally:
            await client.stop()
    figures: dict[str, object] = {key.decode(): fates.get(key, "no outcome") for key, _ in [*EXPENSIVE.items(), AFTER]}
    after = fates.get(AFTER[0], "")
    figures["valid article in time"] = after.startswith("enriched") and float(after.split()[2]) <= AFTER_WITHIN
    figures["worker alive after them"] = alive
    return figures


async def main(count: int, port: int) -> int:
    seed = next((PROJECT_ROOT / "seeds").glob("*.txt")).read_text()
    with tempfile.TemporaryDirectory(prefix="streams-faults-") as tmp:
        folder = Path(tmp)
        base = Settings(kafka_bootstrap_servers=f"127.0.0.1:{port}", broker_dir=folder / "kafka", broker_heap="384m")
        broker = LocalBroker(base)
        print(f"starting a broker on {base.kafka_bootstrap_servers}...", flush=True)
        await asyncio.to_thread(broker.start, 240)
        try:
            prefix = f"faults{uuid.uuid4().hex[:6]}"
            settings = topic_settings(
                base,
                prefix,
                data_dir=folder / "worker-data",
                worker_web_port=free_port(),
                worker_session_timeout=8.0,
            )
            messages = [
                (f"seed-{i:04d}".encode(), orjson.dumps({"id": f"seed-{i:04d}", "text": seed, "title": f"Take {i}"}))
                for i in range(count)
            ]
            step = max(1, count // len(HOSTILE))
            mixed: list[tuple[bytes | None, bytes]] = []
            for i, message in enumerate(messages):
                mixed.append(message)
                if i % step == 0 and i // step < len(HOSTILE):
                    mixed.append((None, HOSTILE[i // step]))
            await publish(settings, mixed)
            print(f"published {count} articles and {len(HOSTILE)} hostile messages; running...", flush=True)
            started = time.monotonic()
            figures = await collect(settings, {k for k, _ in messages}, len(HOSTILE), [count // 4, count // 2], folder)
            figures["seconds"] = round(time.monotonic() - started, 1)
            print("publishing the expensive inputs...", flush=True)
            figures |= await expensive_inputs(settings, folder)
        finally:
            await asyncio.to_thread(broker.stop)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    ok = (
        figures["lost"] == 0
        and figures["differing re-deliveries"] == 0
        and figures["worker alive"]
        and figures["worker alive after them"]
        and figures["valid article in time"]
        and str(figures["oversize-message"]).startswith("dead-lettered")
        and all(not str(figures[key.decode()]).startswith("no outcome") for key in EXPENSIVE)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--port", type=int, default=19492)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.articles, args.port)))
