"""Polite async HTTP for the ingester (httpx): one deadline per request, a per-host concurrency limit and
delay, a User-Agent naming the project, robots.txt, conditional GETs, bounded redirects, capped bodies.

Every way a fetch can fail raises `FetchError` with a stable `reason` (the metrics label) and a readable
message; nothing else escapes `Fetcher.get`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx

from streams.ingest.urls import host_of, is_web_url
from streams.settings import Settings

#: Page types worth reading; anything else is refused on its headers (a podcast's 200 MB is not read).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: robots.txt files are read up to this size (RFC 9309 asks crawlers to parse at least 500 KiB).
ROBOTS_MAX_BYTES = 512 * 1024
#: How long a host's robots.txt is trusted before it is fetched again (RFC 9309: no more than a day).
ROBOTS_TTL = 3600.0
#: How long a robots.txt that could not be read (5xx, no answer) keeps the host closed before a new try.
ROBOTS_RETRY = 300.0


class FetchError(Exception):
    """A fetch that gave no usable response. `reason` is a stable code: timeout, http_404, too_large, ..."""

    def __init__(self, reason: str, url: str, detail: str) -> None:
        super().__init__(f"{reason}: {url}: {detail}")
        self.reason = reason
        self.url = url
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    not_modified: bool = False  # a 304: `body` is the one kept from the last 200

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("\"'")
        return None


@dataclass
class _Host:
    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _Robots:
    parser: RobotFileParser | None  # None: allow everything (no robots.txt)
    disallow_all: bool
    fetched_at: float

    def expired(self, now: float) -> bool:
        ttl = ROBOTS_RETRY if self.disallow_all else ROBOTS_TTL
        return now - self.fetched_at > ttl


class Fetcher:
    """One per process (or test): it holds the connection pool, each host's pacing, robots.txt and the
    validators (ETag, Last-Modified) of the feeds it read."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.client = httpx.AsyncClient(
            headers={"User-Agent": settings.ingest_user_agent},
            timeout=httpx.Timeout(settings.ingest_timeout),
            follow_redirects=False,  # followed here, so that each hop is paced and checked against robots.txt
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._validators: dict[str, Response] = {}

    async def close(self) -> None:
        await self.client.aclose()

    async def get(self, url: str, *, conditional: bool = False, html_only: bool = False) -> Response:
        """GET `url`, following redirects. `conditional`: revalidate the copy of the last pass (feeds);
        `html_only`: refuse a response that declares another type before reading its body (pages)."""
        seen: list[str] = []
        while True:
            if not is_web_url(url):
                raise FetchError("bad_url", url, "not an http(s) URL")
            if url in seen:
                raise FetchError("redirect_loop", seen[0], " -> ".join([*seen, url]))
            if len(seen) > self.settings.ingest_max_redirects:
                raise FetchError("too_many_redirects", seen[0], f"more than {self.settings.ingest_max_redirects}")
            seen.append(url)
            if not await self.allowed(url):
                raise FetchError("robots", url, "disallowed by robots.txt")
            cached = self._validators.get(url) if conditional else None  # kept under the final URL
            response = await self._request(url, cached, html_only=html_only)
            location = response.headers.get("location")
            if response.status in {301, 302, 303, 307, 308} and location:
                url = urljoin(url, location)
                continue
            if response.status == 304 and cached is not None:
                return Response(cached.url, 304, response.headers, cached.body, not_modified=True)
            if response.status >= 300:
                raise FetchError(f"http_{response.status}", url, f"HTTP {response.status}")
            if conditional and ("etag" in response.headers or "last-modified" in response.headers):
                self._validators[url] = response
            return response

    async def _request(
        self, url: str, cached: Response | None, max_bytes: int | None = None, html_only: bool = False
    ) -> Response:
        headers = {}
        if cached is not None:
            if etag := cached.headers.get("etag"):
                headers["If-None-Match"] = etag
            if modified := cached.headers.get("last-modified"):
                headers["If-Modified-Since"] = modified
        cap = max_bytes or self.settings.ingest_max_page_bytes
        try:
            async with (
                self._host_slot(url),
                asyncio.timeout(self.settings.ingest_timeout),
                self.client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code >= 300:
                    body = b""
                elif html_only and _declared_type(response) not in HTML_TYPES | {""}:
                    raise FetchError("not_html", url, f"Content-Type {_declared_type(response)}, not HTML")
                else:
                    body = await _read_capped(response, url, cap)
                return Response(str(response.url), response.status_code, response.headers, body)
        except TimeoutError:
            raise FetchError("timeout", url, f"no complete answer within {self.settings.ingest_timeout:g} s") from None
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", url, repr(exc)) from None
        except httpx.ConnectError as exc:
            raise FetchError("connect", url, str(exc) or repr(exc)) from None
        except httpx.HTTPError as exc:  # protocol errors, a connection reset mid-body, bad encodings, ...
            raise FetchError("http_error", url, str(exc) or repr(exc)) from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # a link httpx cannot even send (bad host, port)
            raise FetchError("bad_url", url, str(exc) or repr(exc)) from None

    @contextlib.asynccontextmanager
    async def _host_slot(self, url: str) -> AsyncIterator[None]:
        """At most `ingest_host_concurrency` requests in flight per host, their starts `delay` apart."""
        host = self._host(url)
        async with host.slots:
            async with host.lock:  # the pacing decision is taken one request at a time
                wait = host.next_start - time.monotonic()
                host.next_start = max(host.next_start, time.monotonic()) + host.delay
            if wait > 0:
                await asyncio.sleep(wait)
            yield

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        if key not in self._hosts:
            settings = self.settings
            self._hosts[key] = _Host(asyncio.Semaphore(settings.ingest_host_concurrency), settings.ingest_host_delay)
        return self._hosts[key]

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our User-Agent fetch `url` (read once per host and hour)."""
        robots = await self._robots_of(host_of(url))
        if robots.disallow_all:
            return False
        return robots.parser is None or robots.parser.can_fetch(self.settings.ingest_user_agent, url)

    async def _robots_of(self, host: str) -> _Robots:
        lock = self._robots_locks.setdefault(host, asyncio.Lock())
        async with lock:  # one fetch of a host's robots.txt, however many pages wait for it
            known = self._robots.get(host)
            if known is None or known.expired(time.monotonic()):
                known = self._robots[host] = await self._fetch_robots(host)
            return known

    async def _fetch_robots(self, host: str) -> _Robots:
        # RFC 9309: 4xx means there are no rules; a server error or no answer means "disallow all" for now.
        url = f"{host}/robots.txt"
        now = time.monotonic()
        try:
            for _hop in range(self.settings.ingest_max_redirects + 1):
                response = await self._request(url, None, max_bytes=ROBOTS_MAX_BYTES)
                location = response.headers.get("location")
                if not (300 <= response.status < 400 and location):
                    break
                url = urljoin(url, location)
        except FetchError:
            return _Robots(None, disallow_all=True, fetched_at=now)
        if 400 <= response.status < 500:
            return _Robots(None, disallow_all=False, fetched_at=now)
        if response.status >= 300:
            return _Robots(None, disallow_all=True, fetched_at=now)
        parser = RobotFileParser()
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.settings.ingest_user_agent)
        if delay:
            host_state = self._host(host + "/")
            host_state.delay = max(host_state.delay, float(delay))
        return _Robots(parser, disallow_all=False, fetched_at=now)


def _declared_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


async def _read_capped(response: httpx.Response, url: str, cap: int) -> bytes:
    """The body, read while it streams in and abandoned as soon as it passes `cap` bytes (decoded)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError("too_large", url, f"Content-Length {declared} over the limit of {cap} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise FetchError("too_large", url, f"over the limit of {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
