"""The ingester's web side without Kafka: canonical URLs, feeds and sitemaps, extraction from cluttered
pages, and the fetcher against a local HTTP server (robots.txt, conditional GETs, every bad input)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from streams.ingest.extract import ExtractError, extract
from streams.ingest.feeds import FeedError, parse_source
from streams.ingest.fetch import Fetcher, FetchError
from streams.ingest.urls import article_id, canonical_url, strip_tracking
from streams.settings import Settings
from tests.ingest_site import (
    CLUTTER,
    Site,
    atom,
    fifty_megabytes,
    make_articles,
    page_html,
    recall_precision,
    rss,
    serve,
    served_news_site,
)

ARTICLES = make_articles()
SETTINGS = Settings(ingest_host_delay=0, ingest_timeout=1.5, ingest_max_page_bytes=1_000_000, ingest_max_redirects=3)


@pytest.fixture
def site() -> Iterator[Site]:
    with served_news_site(ARTICLES) as site:
        yield site


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    fetcher = Fetcher(SETTINGS)
    yield fetcher
    await fetcher.close()


# --- URLs --------------------------------------------------------------------------------------------


def test_tracking_parameters_and_fragments_are_dropped_the_rest_kept_sorted() -> None:
    url = "https://News.Example:443/a/b?utm_source=rss&id=3&fbclid=x&gclid=y&page=2#comments"
    assert strip_tracking(url) == "https://news.example/a/b?id=3&page=2"
    assert strip_tracking("http://example.org") == "http://example.org/"


def test_canonical_url_prefers_rel_canonical_but_not_a_home_page() -> None:
    page = "https://news.example/world/x?utm_medium=feed"
    assert canonical_url(page, "https://news.example/world/x-story") == "https://news.example/world/x-story"
    assert canonical_url(page, None) == "https://news.example/world/x"
    assert canonical_url(page, "https://news.example/") == "https://news.example/world/x"  # misconfigured
    assert canonical_url(page, "https://rival.example/world/x") == "https://news.example/world/x"  # a claim
    assert canonical_url("https://amp.news.example/x", "https://www.news.example/x") == "https://www.news.example/x"
    assert article_id("https://news.example/world/x") == article_id(canonical_url(page, None))
    assert article_id("https://news.example/world/x").startswith("art_")


# --- feeds and sitemaps ------------------------------------------------------------------------------


def test_rss_gives_links_titles_and_utc_publication_times() -> None:
    parsed = parse_source(rss(ARTICLES[:3], "https://news.example").encode(), "https://news.example/rss.xml")
    assert [e.url for e in parsed.entries] == [
        f"https://news.example{a.path}?utm_source=rss&utm_medium=feed" for a in ARTICLES[:3]
    ]
    assert [e.title for e in parsed.entries] == [a.title for a in ARTICLES[:3]]
    assert [e.published_at for e in parsed.entries] == [a.published.astimezone(UTC).isoformat() for a in ARTICLES[:3]]
    assert parsed.entries[0].site_name == "The Harbour Gazette"
    assert parsed.entries[0].source == "https://news.example/rss.xml"


def test_atom_gives_links_and_authors() -> None:
    parsed = parse_source(atom(ARTICLES[:2], "https://news.example").encode(), "https://news.example/atom.xml")
    assert [e.url for e in parsed.entries] == [f"https://news.example{a.path}" for a in ARTICLES[:2]]
    assert [e.authors for e in parsed.entries] == [(a.author,) for a in ARTICLES[:2]]


def test_news_sitemap_and_sitemap_index() -> None:
    sitemap = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/a</loc><news:news><news:publication><news:name>Gazette</news:name>
<news:language>en</news:language></news:publication><news:publication_date>2026-11-28T07:45:00+01:00</news:publication_date>
<news:title>Harbour wall</news:title></news:news></url>
<url><loc>/b</loc></url></urlset>"""
    parsed = parse_source(sitemap, "https://news.example/news-sitemap.xml")
    first, second = parsed.entries
    assert (first.url, first.title, first.published_at, first.site_name) == (
        "https://news.example/a",
        "Harbour wall",
        "2026-11-28T07:45:00+01:00",
        "Gazette",
    )
    assert second.url == "https://news.example/b"
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/s1.xml</loc></sitemap><sitemap><loc>https://news.example/s2.xml</loc></sitemap>
</sitemapindex>"""
    assert parse_source(index, "https://news.example/index.xml").sitemaps == [
        "https://news.example/s1.xml",
        "https://news.example/s2.xml",
    ]


@pytest.mark.parametrize(
    "body",
    [b"<!DOCTYPE html><html><body><p>Welcome to our site</p></body></html>", b"{not: xml", b"", b"\x89PNG\r\n\x1a\n"],
)
def test_a_source_that_is_not_a_feed_is_refused(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse_source(body, "https://news.example/feed")
    assert caught.value.reason == "not_a_feed"


def test_entities_in_a_feed_are_not_resolved() -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/&x;</loc></url></urlset>"""
    parsed = parse_source(evil, "https://a.example/s.xml")
    assert all("root:" not in e.url for e in parsed.entries)


# --- extraction --------------------------------------------------------------------------------------


def test_main_text_title_author_time_and_canonical_of_every_cluttered_page() -> None:
    for article in ARTICLES:
        page_url = f"https://news.example{article.path}?utm_source=rss"
        html = page_html(article, "https://news.example", ARTICLES[:3])
        page = extract(html.encode(), page_url, "text/html", "utf-8")
        recall, precision = recall_precision(page.text, article.text)
        assert recall >= 0.95 and precision >= 0.95, (article.index, recall, precision)
        assert page.text.split("\n\n") == article.paragraphs  # paragraphs kept apart, as the worker wants
        assert not [c for c in CLUTTER if c[:40] in page.text]
        assert not [other.title for other in ARTICLES if other.title in page.text]  # related links
        assert not any(f" {item} " in f" {page.text} " for item in ("Podcasts", "Subscribe", "Sign in"))
        assert page.title == article.title
        assert page.authors == (article.author,)
        assert datetime.fromisoformat(page.published_at or "") == article.published
        expected = f"https://news.example{article.path}" if article.has_canonical else None
        assert page.canonical in {expected, page_url}
        assert page.site_name == "The Harbour Gazette"


def test_a_page_that_is_not_html_or_has_no_text_is_refused() -> None:
    with pytest.raises(ExtractError) as caught:
        extract(b"%PDF-1.7 ...", "https://news.example/a.pdf", "application/pdf", None)
    assert caught.value.reason == "not_html"
    shell = (
        "<!DOCTYPE html><html><head><title>Loading</title></head><body><div id='app'></div>"
        "<script src='/bundle.js'></script></body></html>"
    )
    with pytest.raises(ExtractError) as caught:
        extract(shell.encode(), "https://news.example/app", "text/html", None)
    assert caught.value.reason == "no_text"


# --- fetching ----------------------------------------------------------------------------------------


async def test_user_agent_names_the_project(site: Site, fetcher: Fetcher) -> None:
    response = await fetcher.get(f"{site.base}{ARTICLES[0].path}")
    assert response.status == 200 and b"<article" in response.body
    agents = {r.headers["User-Agent"] for r in site.requests}
    assert agents == {SETTINGS.ingest_user_agent} and "streams" in SETTINGS.ingest_user_agent
    assert [r.path for r in site.requests] == ["/robots.txt", ARTICLES[0].path]  # robots.txt first, once


async def test_robots_txt_is_respected(site: Site, fetcher: Fetcher) -> None:
    site.page("/private/leak", "<html><body><p>secret</p></body></html>")
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/private/leak")
    assert caught.value.reason == "robots"
    assert site.requested("/private/leak") == []
    await fetcher.get(f"{site.base}{ARTICLES[1].path}")
    assert len(site.requested("/robots.txt")) == 1  # read once per host


async def test_a_server_error_on_robots_txt_means_disallow_all(site: Site, fetcher: Fetcher) -> None:
    site.routes["/robots.txt"] = (503, {"Content-Type": "text/plain"}, b"busy")
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}{ARTICLES[0].path}")
    assert caught.value.reason == "robots"
    assert site.requested(ARTICLES[0].path) == []


async def test_feeds_are_revalidated_with_etag_and_last_modified(site: Site, fetcher: Fetcher) -> None:
    first = await fetcher.get(f"{site.base}/rss.xml", conditional=True)
    second = await fetcher.get(f"{site.base}/rss.xml", conditional=True)
    feed_requests = site.requested("/rss.xml")
    assert [r.status for r in feed_requests] == [200, 304]
    assert "If-None-Match" not in feed_requests[0].headers
    assert feed_requests[1].headers["If-None-Match"] == first.headers["ETag"]
    assert feed_requests[1].headers["If-Modified-Since"] == "Sat, 28 Nov 2026 08:00:00 GMT"
    assert second.not_modified and second.body == first.body


@pytest.mark.parametrize(("status", "reason"), [(404, "http_404"), (500, "http_500"), (410, "http_410")])
async def test_error_statuses(site: Site, fetcher: Fetcher, status: int, reason: str) -> None:
    site.routes["/broken"] = (status, {"Content-Type": "text/html"}, b"<html>error</html>")
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/broken")
    assert caught.value.reason == reason


async def test_a_silent_server_times_out(site: Site, fetcher: Fetcher) -> None:
    site.routes["/slow"] = lambda: (site.released.wait(30), (200, {"Content-Type": "text/html"}, b"late"))[1]
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/slow")
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < SETTINGS.ingest_timeout + 1


async def test_a_trickling_body_times_out_as_a_whole(site: Site, fetcher: Fetcher) -> None:
    def trickle() -> Iterator[bytes]:
        while not site.released.wait(0.2):
            yield b"<p>still here</p>"

    site.routes["/trickle"] = lambda: (200, {"Content-Type": "text/html"}, trickle())
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/trickle")
    assert caught.value.reason == "timeout"


async def test_redirects_are_followed_and_loops_stopped(site: Site, fetcher: Fetcher) -> None:
    site.routes["/old"] = (301, {"Location": ARTICLES[0].path}, b"")
    response = await fetcher.get(f"{site.base}/old")
    assert response.url == f"{site.base}{ARTICLES[0].path}"
    site.routes["/loop-a"] = (302, {"Location": "/loop-b"}, b"")
    site.routes["/loop-b"] = (302, {"Location": "/loop-a"}, b"")
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/loop-a")
    assert caught.value.reason == "redirect_loop"
    for hop in range(5):
        site.routes[f"/hop{hop}"] = (302, {"Location": f"/hop{hop + 1}"}, b"")
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/hop0")
    assert caught.value.reason == "too_many_redirects"
    assert len(site.requested("/hop4")) == 0  # max_redirects = 3: hop0 and three redirects


async def test_a_fifty_megabyte_page_is_cut_off_while_streaming(site: Site, fetcher: Fetcher) -> None:
    site.routes["/huge"] = lambda: (200, {"Content-Type": "text/html"}, fifty_megabytes())
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/huge")
    assert caught.value.reason == "too_large"
    deadline = time.monotonic() + 10
    while "/huge" not in site.streamed and time.monotonic() < deadline:  # the server notices the hang-up
        await _tick()
    assert site.streamed["/huge"] < 10 * 1024 * 1024  # the client hung up long before 50 MB
    site.routes["/declared"] = (200, {"Content-Type": "text/html"}, b"x" * 2_000_000)
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/declared")
    assert caught.value.reason == "too_large" and "Content-Length" in caught.value.detail


async def test_a_big_download_that_is_not_html_is_refused_on_its_headers(site: Site, fetcher: Fetcher) -> None:
    site.routes["/episode.mp3"] = lambda: (200, {"Content-Type": "audio/mpeg"}, fifty_megabytes())
    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"{site.base}/episode.mp3", html_only=True)
    assert caught.value.reason == "not_html"
    assert caught.value.detail == "Content-Type audio/mpeg, not HTML"
    deadline = time.monotonic() + 10
    while "/episode.mp3" not in site.streamed and time.monotonic() < deadline:
        await _tick()
    assert site.streamed["/episode.mp3"] < 10 * 1024 * 1024


async def test_per_host_concurrency_is_bounded() -> None:
    site = Site()
    server, base = serve(site)
    site.page("/robots.txt", "", "text/plain")
    active = 0
    peak = 0
    lock = threading.Lock()

    def held() -> tuple[int, dict[str, str], bytes]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.3)  # the server holds each answer a moment, so that requests overlap if allowed to
        with lock:
            active -= 1
        return 200, {"Content-Type": "text/html"}, b"<html><body><p>ok</p></body></html>"

    for n in range(6):
        site.routes[f"/p{n}"] = held
    fetcher = Fetcher(SETTINGS.model_copy(update={"ingest_host_concurrency": 2}))
    try:
        await asyncio.gather(*(fetcher.get(f"{base}/p{n}") for n in range(6)))
    finally:
        await fetcher.close()
        server.shutdown()
        server.server_close()
    assert peak == 2


def gaps(site: Site) -> list[float]:
    """Seconds between the arrivals of consecutive requests at the server."""
    arrivals = [r.at for r in site.requests]
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


async def test_requests_to_a_host_are_spaced_by_the_delay(site: Site) -> None:
    fetcher = Fetcher(SETTINGS.model_copy(update={"ingest_host_delay": 0.3, "ingest_host_concurrency": 4}))
    try:
        await asyncio.gather(*(fetcher.get(f"{site.base}{a.path}") for a in ARTICLES[:3]))
    finally:
        await fetcher.close()
    assert len(site.requests) == 4  # robots.txt and three pages, each start 0.3 s after the one before
    assert min(gaps(site)) >= 0.29


async def test_a_crawl_delay_in_robots_txt_slows_the_host_down(site: Site, fetcher: Fetcher) -> None:
    site.page("/robots.txt", "User-agent: streams-ingest\nCrawl-delay: 1\nDisallow: /private/\n", "text/plain")
    await asyncio.gather(*(fetcher.get(f"{site.base}{a.path}") for a in ARTICLES[:3]))
    assert site.requests[0].path == "/robots.txt"
    assert min(gaps(site)[1:]) >= 0.99  # between the pages; SETTINGS' own delay is 0


async def _tick() -> None:
    await asyncio.sleep(0.05)


def test_the_article_schema_takes_authors_and_feed() -> None:
    from streams import events

    article = {"text": "Body.", "authors": ["Jane Doe"], "feed": "https://news.example/rss.xml"}
    assert events.schema_errors("article", article) == []
    assert events.schema_errors("article", {**article, "authors": [3]}) == ["authors/0: 3 is not of type 'string'"]


async def test_a_refused_connection_and_a_bad_link(fetcher: Fetcher) -> None:
    from tests.support import free_port

    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"http://127.0.0.1:{free_port()}/feed.xml")  # nobody listens there
    assert caught.value.reason == "robots"  # robots.txt could not be read: the host stays closed
    assert "connect" not in caught.value.detail
    with pytest.raises(FetchError) as caught:
        await fetcher.get("mailto:desk@news.example")
    assert caught.value.reason == "bad_url"
