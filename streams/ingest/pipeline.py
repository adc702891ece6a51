"""One ingestion pass: read every source, fetch each article link not published yet, extract it, publish it,
remember it. Every failure is counted and reported and costs only its own source or page."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from streams import events
from streams.ingest import metrics
from streams.ingest.extract import ExtractError, Page, extract
from streams.ingest.feeds import Entry, FeedError, parse_source
from streams.ingest.fetch import Fetcher, FetchError
from streams.ingest.seen import SeenUrls
from streams.ingest.urls import article_id, canonical_url, strip_tracking
from streams.settings import Settings


class PassProgress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self) -> None: ...


class _NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class PassReport:
    """What one pass did. new + skipped + failed = the distinct article links the sources gave."""

    new: int = 0
    skipped: int = 0
    failed: int = 0
    sources_read: int = 0
    sources_failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # "page http_404", "feed not_a_feed", ...
    published: list[str] = field(default_factory=list)  # canonical URLs

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.skipped} skipped, {self.failed} failed; "
            f"sources: {self.sources_read} read, {self.sources_failed} failed"
        )


class Ingester:
    """Runs passes with one fetcher, one seen-URL memory and one producer (the service keeps them across)."""

    def __init__(
        self,
        settings: Settings,
        fetcher: Fetcher,
        seen: SeenUrls,
        producer: AIOKafkaProducer,
        report: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.seen = seen
        self.producer = producer
        self.report = report
        # Publications under way: a stop lets them finish (publish, then record) rather than cut them in two.
        self.publishing: set[asyncio.Task[None]] = set()

    async def run_pass(self, sources: Sequence[str], progress: PassProgress | None = None) -> PassReport:
        progress = progress or _NoProgress()
        result = PassReport()
        await self.seen.catch_up()
        entries = await self._read_sources(sources, result)
        links: dict[str, Entry] = {}
        for entry in entries:  # one fetch per link, however many sources list it
            links.setdefault(strip_tracking(entry.url), entry)
        candidates = {link: entry for link, entry in links.items() if link not in self.seen}
        result.skipped += len(links) - len(candidates)
        metrics.SKIPPED.labels("seen").inc(len(links) - len(candidates))
        progress.start(len(candidates))
        claimed: set[str] = set()
        slots = asyncio.Semaphore(self.settings.ingest_concurrency)

        async def one(link: str, entry: Entry) -> None:
            async with slots:
                try:
                    await self._ingest(link, entry, claimed, result)
                except Exception as exc:  # a bug a page triggers must not cost the others
                    result.failed += 1
                    self._fail(result, "page", "error", entry.url, repr(exc))
            progress.advance()

        await asyncio.gather(*(one(link, entry) for link, entry in candidates.items()))
        metrics.PASSES.inc()
        metrics.SEEN_URLS.set(len(self.seen.urls))
        return result

    async def drain(self) -> None:
        """Wait for the publications under way (after the pass was cancelled)."""
        if self.publishing:
            await asyncio.gather(*self.publishing, return_exceptions=True)

    def _fail(self, result: PassReport, kind: str, reason: str, url: str, detail: str) -> None:
        metrics.FAILED.labels(kind, reason).inc()
        result.failures[f"{kind} {reason}"] += 1
        self.report(f"failed {kind} {reason}: {url}: {detail}")

    async def _read_sources(self, sources: Sequence[str], result: PassReport) -> list[Entry]:
        found = await asyncio.gather(*(self._read_source(url, result, nested=False) for url in dict.fromkeys(sources)))
        return [entry for entries in found for entry in entries]

    async def _read_source(self, url: str, result: PassReport, *, nested: bool) -> list[Entry]:
        try:
            response = await self.fetcher.get(url, conditional=True)
            metrics.FETCHED.labels("feed", "not_modified" if response.not_modified else "ok").inc()
            parsed = parse_source(response.body, response.url, response.content_type)
        except (FetchError, FeedError) as exc:
            result.sources_failed += 1
            self._fail(result, "feed", exc.reason, url, exc.detail)
            return []
        except Exception as exc:  # a parser bug a source triggers must not cost the other sources
            result.sources_failed += 1
            self._fail(result, "feed", "error", url, repr(exc))
            return []
        result.sources_read += 1
        entries = list(parsed.entries)
        if parsed.sitemaps and not nested:  # an index's children; an index inside an index is not followed
            children = await asyncio.gather(*(self._read_source(c, result, nested=True) for c in parsed.sitemaps))
            entries += [entry for found in children for entry in found]
        return entries

    async def _ingest(self, link: str, entry: Entry, claimed: set[str], result: PassReport) -> None:
        try:
            response = await self.fetcher.get(entry.url, html_only=True)
            metrics.FETCHED.labels("page", "ok").inc()
            # Off the event loop: a big page takes trafilatura a while, and other fetches go on meanwhile.
            page = await asyncio.to_thread(
                extract, response.body, response.url, response.content_type, response.charset
            )
        except (FetchError, ExtractError) as exc:
            result.failed += 1
            self._fail(result, "page", exc.reason, entry.url, exc.detail)
            return
        canonical = canonical_url(response.url, page.canonical)
        if canonical in self.seen or canonical in claimed:  # reached under another link
            result.skipped += 1
            metrics.SKIPPED.labels("seen" if canonical in self.seen else "duplicate").inc()
            if canonical in self.seen:  # remember this link too: the next pass skips it without a fetch
                with contextlib.suppress(KafkaError):
                    await self.seen.record({link}, article_id(canonical))
            return
        claimed.add(canonical)  # no await since the check: no other page of this pass can slip in between
        article = article_event(entry, page, canonical)
        value = events.dumps(article)
        problems = events.schema_errors("article", article)
        if len(value) > self.settings.max_article_bytes:
            problems.append(f"{len(value)} bytes, over MAX_ARTICLE_BYTES ({self.settings.max_article_bytes})")
        if problems:
            result.failed += 1
            self._fail(result, "page", "invalid_article", entry.url, "; ".join(problems))
            return
        task = asyncio.create_task(self._publish(article["id"], value, {canonical, link}))
        self.publishing.add(task)
        task.add_done_callback(self.publishing.discard)
        try:
            await asyncio.shield(task)  # a cancelled pass does not cut a publication from its seen record
        except KafkaError as exc:
            result.failed += 1
            self._fail(result, "page", "publish", entry.url, repr(exc))
            return
        result.new += 1
        result.published.append(canonical)
        metrics.PUBLISHED.inc()

    async def _publish(self, key: str, value: bytes, urls: set[str]) -> None:
        """The article, acknowledged by the broker, and only then its URLs in the seen topic."""
        await (await self.producer.send(self.settings.topic("articles"), key=key.encode(), value=value))
        await self.seen.record(urls, key)


def article_event(entry: Entry, page: Page, canonical: str) -> events.Event:
    """The article as published: the page's own metadata first, the feed's where the page says nothing."""
    # The page's time when it has a time of day; a feed's pubDate is precise where a page gives only a date.
    published = page.published_at
    if published is None or (len(published) <= 10 and entry.published_at):
        published = entry.published_at or published
    article: events.Event = {
        "id": article_id(canonical),
        "url": canonical,
        "title": page.title or entry.title,
        "text": page.text,
        "published_at": published,
        "source": page.site_name or entry.site_name or urlsplit(canonical).hostname,
        "authors": list(page.authors or entry.authors) or None,
        "language": page.language,
        "feed": entry.source,
    }
    return {name: value for name, value in article.items() if value is not None}
