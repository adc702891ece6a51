"""`make faults`: a crash scenario with figures. Nothing may be lost.

A broker of its own (tmp folder, port 19492), one worker; the seed article published with varied ids,
hostile messages mixed in; the worker is SIGKILLed twice mid-stream and restarted. Then it counts:
articles published, lost (must be 0), duplicates (re-deliveries, all identical), dead-lettered (all the
hostile ones), and whether the last worker is alive.
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
from streams.settings import Settings  # noqa: E402
from streams.transport import consumer  # noqa: E402
from tests.support import WorkerProcess, publish  # noqa: E402

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


async def collect(settings: Settings, wanted: set[bytes], hostile: int, kills: list[int], log_dir: Path) -> dict:
    """Read enriched and dead-letter topics while killing the worker at the given counts of articles."""
    client = consumer(settings, settings.topic_enriched, settings.topic_deadletter, from_beginning=True)
    await client.start()
    enriched: list[tuple[bytes | None, bytes]] = []
    letters = 0
    worker = WorkerProcess(settings, log_dir / "worker-0.log").start()
    restarts = 0
    deadline = time.monotonic() + 1800
    try:
        while time.monotonic() < deadline:
            for tp, records in (await client.getmany(timeout_ms=500)).items():
                if tp.topic == settings.topic_enriched:
                    enriched += [(r.key, r.value) for r in records]
                else:
                    letters += len(records)
            done = len({k for k, _ in enriched})
            if kills and done >= kills[0]:
                kills.pop(0)
                worker.kill()
                restarts += 1
                print(f"  SIGKILL at {done} articles enriched; restarting", flush=True)
                worker = WorkerProcess(settings, log_dir / f"worker-{restarts}.log").start()
            if done >= len(wanted) and letters >= hostile:
                await asyncio.sleep(3)  # let late duplicates arrive too
                for tp, records in (await client.getmany(timeout_ms=1000)).items():
                    if tp.topic == settings.topic_enriched:
                        enriched += [(r.key, r.value) for r in records]
                    else:
                        letters += len(records)
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
        "dead-lettered": f"{letters} of {hostile} hostile",
        "worker alive": alive,
        "restarts": restarts,
    }


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
            settings = base.model_copy(
                update={
                    **{f"topic_{n}": f"{prefix}.{n}" for n in ("articles", "enriched", "quotes", "entities",
                                                               "sentences", "deadletter")},
                    "app_id": prefix,
                    "data_dir": folder / "worker-data",
                    "worker_web_port": port + 10,
                    "worker_session_timeout": 8.0,
                }
            )  # fmt: skip
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
        finally:
            await asyncio.to_thread(broker.stop)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    ok = figures["lost"] == 0 and figures["differing re-deliveries"] == 0 and figures["worker alive"]
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--port", type=int, default=19492)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.articles, args.port)))
