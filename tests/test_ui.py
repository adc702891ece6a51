"""The live page in headless Chromium, driven over the DevTools protocol, on a real worker fed through Kafka.

It loads the page once, then articles arrive: the page must show them without a reload (it polls the API).
A screenshot is kept in the test's folder; STREAMS_UPDATE_SCREENSHOT=1 also copies it to docs/screenshot.png.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import shutil
import struct
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from streams.settings import PROJECT_ROOT, Settings
from tests.support import WorkerProcess, article_messages, base_url, free_port, get, publish, wait_for

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot.png"

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get update && apt-get install -y chromium"
    ),
]

#: What the page shows, read in the page (the DOM the app built from the API).
READ_PAGE = """JSON.stringify({
  status: document.getElementById("status").className,
  trending: [...document.querySelectorAll("#trending li")].map(li => li.querySelector("span").firstChild.textContent),
  speakers: [...document.querySelectorAll("#speakers li strong")].map(el => el.textContent),
  quotes: [...document.querySelectorAll("#quotes li")].map(li => li.querySelector(".who").textContent),
})"""


class DevTools:
    """The least of the Chrome DevTools protocol: send a command, await its answer."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.socket.send_json({"id": call_id, "method": method, "params": params})
        while True:  # events and other answers may come first
            message = await self.socket.receive_json(timeout=30)
            if message.get("id") == call_id:
                assert "error" not in message, message
                return message["result"]

    async def evaluate(self, expression: str) -> Any:
        """The expression's value, or None when it threw (say, the page is still loading)."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return None if "exceptionDetails" in result else result["result"].get("value")


@asynccontextmanager
async def chromium(url: str, profile: Path) -> AsyncIterator[DevTools]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1200,900",
            f"--remote-debugging-port={port}",
            "--remote-allow-origins=*",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession() as session:
            socket_url = await page_socket(session, port, process)
            async with session.ws_connect(socket_url, max_msg_size=0) as socket:
                devtools = DevTools(socket)
                # --window-size includes the (invisible) browser frame: fix the page's own size instead.
                await devtools.call(
                    "Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False
                )
                yield devtools
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def page_socket(session: aiohttp.ClientSession, port: int, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "chromium exited"
        try:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                pages = [t for t in await response.json() if t["type"] == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.3)
    raise TimeoutError("chromium's DevTools did not answer")


async def page_shows(devtools: DevTools, ready: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        shown = await devtools.evaluate(READ_PAGE)
        seen = orjson.loads(shown) if shown else {}
        if seen and ready(seen):
            return seen
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the page shows {seen}")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_live_page_shows_trending_entities_and_latest_quotes(kafka_settings: Settings, tmp_path: Path) -> None:
    base = base_url(kafka_settings)
    (seed, merkel) = article_messages()
    with WorkerProcess(kafka_settings, tmp_path / "worker.log") as worker:
        await publish(kafka_settings, [merkel])
        await wait_for(lambda: get(base, "/speakers"), lambda a: a[0] == 200 and a[1]["speakers"], worker)

        async with chromium(f"{base}/", tmp_path / "chromium-profile") as devtools:
            first = await page_shows(devtools, lambda page: "Angela Merkel" in page["quotes"])
            assert first["status"] == "status ok"
            assert {"Germany", "Ukraine"} <= set(first["trending"])
            assert "Vladimir Putin" not in first["speakers"]

            # More news arrives; the page, never reloaded, picks it up.
            await publish(kafka_settings, [seed])
            later = await page_shows(
                devtools,
                lambda page: (
                    "Vladimir Putin" in page["quotes"]
                    and page["trending"][:1] == ["Emmanuel Macron"]  # in both articles: the most mentioned
                    and {"Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev"} <= set(page["speakers"])
                ),
            )
            assert later["speakers"][0] == "Vladimir Putin"  # the most quoted
            assert "Angela Merkel" in later["speakers"]

            # The day tab asks for the other window.
            await devtools.evaluate('document.querySelector("[data-window=\\"1d\\"]").click()')
            day = await page_shows(devtools, lambda page: page["trending"][:1] == ["Emmanuel Macron"])
            assert set(day["trending"]) == set(later["trending"])
            await devtools.evaluate('document.querySelector("[data-window=\\"1h\\"]").click()')
            await asyncio.sleep(1)

            shot = await devtools.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png_size(png) == (1200, 900) and len(png) > 20_000  # a drawn page, not a blank one
    (tmp_path / "screenshot.png").write_bytes(png)
    if os.environ.get("STREAMS_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "screenshot.png", SCREENSHOT)
