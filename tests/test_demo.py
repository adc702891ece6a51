"""`streams demo` (what `make demo` runs) from nothing: its own broker, a worker, the seed's quotes on stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from streams.broker import LocalBroker
from streams.settings import PROJECT_ROOT, Settings
from tests.support import free_port

pytestmark = pytest.mark.kafka


def test_demo_prints_the_seed_quotes_and_stops_what_it_started(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(
        kafka_bootstrap_servers=f"127.0.0.1:{port}",
        broker_dir=tmp_path / "kafka",
        data_dir=tmp_path / "data",
        worker_web_port=free_port(),
    )
    env = {**os.environ, **settings.as_env()}
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", "demo"], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=600
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    quotes = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(quotes) >= 10
    texts = " ".join(q["text"] for q in quotes)
    for fragment in ("show a lack of understanding", "We will not abandon Armenians", "insulting, unacceptable"):
        assert fragment in texts
    speakers = {s["name"] for q in quotes for s in q["speakers"]}
    assert {"Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev"} <= speakers
    # The worker's API answered with the seed's speakers before the demo stopped it.
    worker_log = (settings.data_dir / "demo-worker.log").read_text(errors="replace")
    assert "Vladimir Putin" in result.stderr.decode().split("/speakers:")[1], worker_log[-6000:]
    assert not LocalBroker(settings).status().running
