"""One pass of the ingester over a local site, with the broker replaced by in-memory stand-ins (the real
broker's part is in test_ingest_kafka.py): sitemaps, links under several names, a page that breaks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from streams import events
from streams.ingest import pipeline
from streams.ingest.fetch import Fetcher
from streams.ingest.pipeline import Ingester, PassReport
from streams.settings import Settings
from tests.ingest_site import Site, make_articles, served_news_site

ARTICLES = make_articles()
SETTINGS = Settings(ingest_host_delay=0, ingest_timeout=2)


class MemorySeen:
    """SeenUrls' interface over a set, with the records it was asked to write."""

    def __init__(self) -> None:
        self.urls: set[str] = set()
        self.records: list[tuple[frozenset[str], str]] = []

    async def catch_up(self) -> int:
        return 0

    def __contains__(self, url: object) -> bool:
        return url in self.urls

    async def record(self, urls: set[str], article_id: str) -> None:
        self.records.append((frozenset(urls), article_id))
        self.urls |= urls


class MemoryProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    async def send(self, topic: str, *, key: bytes, value: bytes) -> asyncio.Future[None]:
        self.sent.append((topic, key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


@pytest.fixture
def site() -> Iterator[Site]:
    with served_news_site(ARTICLES) as site:
        yield site


@pytest.fixture
async def parts() -> AsyncIterator[tuple[Fetcher, MemorySeen, MemoryProducer, list[str]]]:
    fetcher = Fetcher(SETTINGS)
    yield fetcher, MemorySeen(), MemoryProducer(), []
    await fetcher.close()


async def run_pass(parts: tuple[Fetcher, MemorySeen, MemoryProducer, list[str]], *sources: str) -> PassReport:
    fetcher, seen, producer, lines = parts
    ingester = Ingester(SETTINGS, fetcher, seen, producer, lines.append)  # type: ignore[arg-type]
    return await ingester.run_pass(list(sources))


def sitemap(base: str, paths: list[str]) -> str:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>Gazette</news:name></news:publication>"
        f"<news:publication_date>2026-11-28</news:publication_date></news:news></url>"
        for path in paths
    )
    return (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


async def test_a_sitemap_index_leads_to_its_news_sitemaps_articles(site: Site, parts: tuple) -> None:
    site.page("/sitemap-news-1.xml", sitemap(site.base, [ARTICLES[0].path]), "application/xml")
    site.page("/sitemap-news-2.xml", sitemap(site.base, [ARTICLES[1].path]), "application/xml")
    children = "".join(f"<sitemap><loc>{site.base}/sitemap-news-{n}.xml</loc></sitemap>" for n in (1, 2))
    index = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>'
    site.page("/sitemap.xml", index, "application/xml")
    report = await run_pass(parts, f"{site.base}/sitemap.xml")
    assert (report.new, report.skipped, report.failed, report.sources_read) == (2, 0, 0, 3)
    sent = [events.loads(value) for _topic, _key, value in parts[2].sent]
    assert sorted(event["url"] for event in sent) == sorted(f"{site.base}{a.path}" for a in ARTICLES[:2])
    assert {event["feed"] for event in sent} == {f"{site.base}/sitemap-news-1.xml", f"{site.base}/sitemap-news-2.xml"}
    # the page's time of day wins over the sitemap's bare date
    assert sorted(event["published_at"] for event in sent) == sorted(a.published.isoformat() for a in ARTICLES[:2])


async def test_an_article_under_two_links_is_fetched_once_per_link_and_published_once(site: Site, parts: tuple) -> None:
    article = ARTICLES[0]  # has a rel=canonical
    site.routes["/s/0"] = (301, {"Location": article.path}, b"")
    links = [f"{article.path}?utm_source=x", f"{article.path}?fbclid=abc", "/s/0"]
    items = "".join(f"<item><title>t</title><link>{site.base}{link}</link></item>" for link in links)
    site.page("/two.xml", f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>', "application/rss+xml")
    report = await run_pass(parts, f"{site.base}/two.xml")
    assert (report.new, report.skipped, report.failed) == (1, 1, 0)  # two distinct links, one article
    assert len(site.requested(article.path)) == 2  # once directly, once after the short link's redirect
    canonical = f"{site.base}{article.path}"
    urls = set().union(*(urls for urls, _id in parts[1].records))
    assert canonical in urls
    again = await run_pass(parts, f"{site.base}/two.xml")
    assert (again.new, again.skipped, again.failed) == (0, 2, 0)
    assert parts[1].urls >= {canonical, f"{site.base}/s/0"}  # both links known now: no more fetches


async def test_a_page_that_breaks_the_extractor_costs_only_itself(
    site: Site, parts: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.extract

    def fragile(body: bytes, url: str, content_type: str, charset: str | None) -> pipeline.Page:
        if url.endswith(ARTICLES[3].path):
            raise RecursionError("maximum recursion depth exceeded")
        return real(body, url, content_type, charset)

    monkeypatch.setattr(pipeline, "extract", fragile)
    report = await run_pass(parts, f"{site.base}/atom.xml")
    assert (report.new, report.skipped, report.failed) == (19, 0, 1)
    assert report.failures == {"page error": 1}
    assert parts[3] == [
        f"failed page error: {site.base}{ARTICLES[3].path}: RecursionError('maximum recursion depth exceeded')"
    ]
