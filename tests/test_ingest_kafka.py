"""`streams ingest` end to end: a local news site, the real Kafka broker, the command as a process.

The done-when test: 20 articles behind an RSS and an Atom feed are published once each, with url, title,
publication time and main text; a second `--once` run (a new process: a restart) publishes nothing new.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from streams import events
from streams.clients import consumer, topic_partitions
from streams.ingest.seen import _behind
from streams.ingest.urls import article_id
from streams.settings import PROJECT_ROOT, Settings
from tests.ingest_site import (
    CLUTTER,
    SITE_NAME,
    Site,
    fifty_megabytes,
    make_articles,
    recall_precision,
    rss,
    served_news_site,
)
from tests.support import free_port, read_until

ARTICLES = make_articles()
FEEDS = ("/robots.txt", "/rss.xml", "/atom.xml")


@pytest.fixture
def site() -> Iterator[Site]:
    with served_news_site(ARTICLES) as site:
        base = site.base
        # Two RSS links are short links that redirect to the article (with tracking parameters on the way).
        for article in ARTICLES[:2]:
            site.routes[f"/story/{1000 + article.index}"] = (301, {"Location": f"{article.path}?utm_source=rss"}, b"")
        story = {a.index: f"{base}/story/{1000 + a.index}" for a in ARTICLES[:2]}
        site.page("/rss.xml", rss(ARTICLES, base, lambda a: story.get(a.index, f"{base}{a.path}?utm_source=rss")))
        yield site


@pytest.fixture
def settings(kafka_settings: Settings) -> Settings:
    return kafka_settings.model_copy(
        update={
            "topic_ingest_seen": f"{kafka_settings.app_id}.ingest.seen",
            "ingest_host_delay": 0.0,
            "ingest_timeout": 2.0,
            "ingest_max_page_bytes": 1_000_000,
        }
    )


def env_of(settings: Settings, **extra: str) -> dict[str, str]:
    return {**os.environ, **settings.as_env(), "PYTHONUNBUFFERED": "1", **extra}


def ingest(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "ingest", *args],
        cwd=PROJECT_ROOT,
        env=env_of(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


async def record_count(settings: Settings, topic: str) -> int:
    client = consumer(settings, from_beginning=True)
    await client.start()
    try:
        return sum((await client.end_offsets(await topic_partitions(client, [topic]))).values())
    finally:
        await client.stop()


def published(settings: Settings) -> list[tuple[bytes | None, dict]]:
    """Every record of the articles topic (all acknowledged before the command exited)."""
    count = asyncio.run(record_count(settings, settings.topic("articles")))
    if not count:
        return []
    found = asyncio.run(read_until(settings, {"articles": count}, timeout=60, settle=0))["articles"]
    return [(record.key, events.loads(record.value)) for record in found]


@pytest.mark.kafka
def test_twenty_articles_behind_rss_and_atom_are_published_once(site: Site, settings: Settings) -> None:
    feeds = [f"{site.base}/rss.xml", f"{site.base}/atom.xml"]
    first = ingest(settings, "--once", *feeds)
    assert first.returncode == 0, first.stderr
    # 22 distinct links: the two short links reach articles the Atom feed lists too (one of each pair is
    # skipped once its canonical URL is known).
    assert first.stdout == "new=20 skipped=2 failed=0\n"
    assert "22/22" in first.stderr  # the progress bar's last state
    records = published(settings)
    assert len(records) == 20
    by_url = {event["url"]: (key, event) for key, event in records}
    for article in ARTICLES:
        key, event = by_url[f"{site.base}{article.path}"]  # canonical: no tracking parameters, no short link
        assert key == event["id"].encode() and event["id"] == article_id(event["url"])
        assert event["title"] == article.title
        assert datetime.fromisoformat(event["published_at"]) == article.published
        recall, precision = recall_precision(event["text"], article.text)
        assert recall >= 0.95 and precision >= 0.95, (article.index, recall, precision)
        assert not [clutter for clutter in CLUTTER if clutter[:40] in event["text"]]
        assert not [other.title for other in ARTICLES if other.title in event["text"]]  # related links
        assert event["source"] == SITE_NAME and event["authors"] == [article.author]
        assert event["feed"] in feeds
        assert events.schema_errors("article", event) == []

    before = len(site.requests)
    second = ingest(settings, "--once", *feeds)  # a new process: what it knows comes from the seen topic
    assert second.returncode == 0, second.stderr
    assert second.stdout == "new=0 skipped=22 failed=0\n"
    assert len(published(settings)) == 20
    # No article page fetched again, except a short link whose article was published under its other link
    # in the first pass (it is recorded now, when it is found to be seen).
    refetched = {r.path.split("?")[0] for r in site.requests[before:]} - set(FEEDS)
    allowed = {f"/story/{1000 + a.index}" for a in ARTICLES[:2]} | {a.path for a in ARTICLES[:2]}
    assert refetched <= allowed

    before = len(site.requests)
    third = ingest(settings, "--once", *feeds)
    assert third.stdout == "new=0 skipped=22 failed=0\n"
    assert {r.path for r in site.requests[before:]} == set(FEEDS)  # feeds only, every link known


def bad_site(site: Site) -> list[str]:
    """A feed whose links are each a different bad page, and one good article; the links' paths."""
    site.routes["/status/404"] = (404, {"Content-Type": "text/html"}, b"<html>gone</html>")
    site.routes["/status/500"] = (500, {"Content-Type": "text/html"}, b"<html>oops</html>")
    site.routes["/slow"] = lambda: (site.released.wait(60), (200, {"Content-Type": "text/html"}, b"late"))[1]
    site.routes["/loop-a"] = (302, {"Location": "/loop-b"}, b"")
    site.routes["/loop-b"] = (302, {"Location": "/loop-a"}, b"")
    site.routes["/huge"] = lambda: (200, {"Content-Type": "text/html"}, fifty_megabytes())
    site.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 " + b"0" * 1000)
    site.page("/app", "<!DOCTYPE html><html><body><div id='app'></div><script src='/app.js'></script></body></html>")
    site.page("/private/draft", "<html><body><p>not for crawlers</p></body></html>")
    site.page("/not-a-feed.xml", "<!DOCTYPE html><html><body><p>Our feeds moved.</p></body></html>")
    paths = ["/status/404", "/status/500", "/slow", "/loop-a", "/huge", "/report.pdf", "/app", "/private/draft"]
    paths.append(ARTICLES[5].path)
    site.page("/bad.xml", rss(ARTICLES[:0], site.base).replace("</channel>", _items(site.base, paths) + "</channel>"))
    return paths


def _items(base: str, paths: list[str]) -> str:
    return "".join(f"<item><title>Item {n}</title><link>{base}{path}</link></item>" for n, path in enumerate(paths))


BAD_REASONS = {
    "/status/404": "http_404",
    "/status/500": "http_500",
    "/slow": "timeout",
    "/loop-a": "redirect_loop",
    "/huge": "too_large",
    "/report.pdf": "not_html",
    "/app": "no_text",
    "/private/draft": "robots",
}


@pytest.mark.kafka
def test_every_bad_input_is_counted_and_reported_and_the_good_page_published(
    site: Site, settings: Settings, tmp_path: Path
) -> None:
    bad_site(site)
    sources = tmp_path / "feeds.txt"
    sources.write_text(f"# the site's feeds\n{site.base}/bad.xml\n\n{site.base}/not-a-feed.xml\n{site.base}/gone.xml\n")
    result = ingest(settings, "--once", str(sources))
    assert result.returncode == 1, result.stderr  # two sources could not be read
    assert result.stdout == f"new=1 skipped=0 failed={len(BAD_REASONS)}\n"
    for path, reason in BAD_REASONS.items():
        assert f"failed page {reason}: {site.base}{path}: " in result.stderr
    assert f"failed feed not_a_feed: {site.base}/not-a-feed.xml: " in result.stderr
    assert f"failed feed http_404: {site.base}/gone.xml: " in result.stderr
    assert "sources: 1 read, 2 failed" in result.stderr
    assert site.requested("/private/draft") == []
    assert site.streamed["/huge"] < 10 * 1024 * 1024
    records = published(settings)
    assert [event["url"] for _key, event in records] == [f"{site.base}{ARTICLES[5].path}"]


def test_a_source_that_is_neither_url_nor_file_is_a_usage_error() -> None:
    result = ingest(Settings(), "--once", "nonsense-feed")  # refused before any broker is asked
    assert result.returncode == 2
    assert "neither an http(s) URL nor a file: nonsense-feed" in result.stderr


def scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


@pytest.mark.kafka
def test_as_a_service_it_counts_on_metrics_revalidates_feeds_and_stops_on_sigterm(
    site: Site, settings: Settings
) -> None:
    bad_site(site)
    port = free_port()
    env = env_of(settings, INGEST_METRICS_PORT=str(port))
    args = ["ingest", "--interval", "1", f"{site.base}/rss.xml", f"{site.base}/bad.xml"]
    process = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        samples: dict[str, float] = {}
        deadline = time.monotonic() + 180
        while samples.get("streams_ingest_passes_total", 0) < 2:  # two passes done
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, samples
            with contextlib.suppress(OSError):  # not listening yet
                samples = scrape(port)
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out == ""  # a service prints its pass summaries on stderr only
    assert samples["streams_ingest_articles_published_total"] == 20  # the bad feed's good page is in the RSS
    for reason in BAD_REASONS.values():  # failing pages are tried again at every pass
        assert samples[f'streams_ingest_failures_total{{kind="page",reason="{reason}"}}'] >= 2
    assert samples['streams_ingest_fetched_total{kind="feed",outcome="not_modified"}'] >= 1  # /rss.xml
    rss_requests = site.requested("/rss.xml")
    assert [r.status for r in rss_requests[:2]] == [200, 304]
    assert "If-None-Match" in rss_requests[1].headers and "If-Modified-Since" in rss_requests[1].headers
    assert len(published(settings)) == 20
    assert re.search(r"ingest pass: 0 new, \d+ skipped", err)


@pytest.mark.kafka
def test_the_seen_topic_is_compacted_and_keyed_by_canonical_url(site: Site, settings: Settings) -> None:
    ingest(settings, "--once", f"{site.base}/atom.xml")

    async def read() -> tuple[dict[str, str], list[bytes]]:
        from aiokafka.admin import AIOKafkaAdminClient
        from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
        await admin.start()
        try:
            described = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, settings.topic_ingest_seen)]
            )
        finally:
            await admin.close()
        configs = {name: value for name, value, *_ in described[0].resources[0][4]}
        return configs, await seen_records(settings)

    configs, keys = asyncio.run(read())
    assert configs["cleanup.policy"] == "compact"
    assert sorted(keys) == sorted(f"{site.base}{a.path}".encode() for a in ARTICLES)


async def seen_records(settings: Settings) -> list[bytes]:
    """The keys of every record on the seen topic, in order (a URL twice would show twice)."""
    client = consumer(settings, from_beginning=True)
    await client.start()
    keys: list[bytes] = []
    try:
        partitions = await topic_partitions(client, [settings.topic_ingest_seen])
        client.assign(partitions)
        ends = await client.end_offsets(partitions)
        while await _behind(client, ends):
            for records in (await client.getmany(timeout_ms=1000)).values():
                keys += [r.key for r in records if r.key]
    finally:
        await client.stop()
    return keys


async def seen_keys(settings: Settings) -> set[str]:
    return {key.decode() for key in await seen_records(settings)}


def test_sigterm_in_the_middle_of_a_pass_exits_at_once_and_every_publication_is_recorded(
    site: Site, settings: Settings
) -> None:
    settings = settings.model_copy(update={"ingest_timeout": 120.0})  # the slow page would hold the pass
    site.routes["/slow"] = lambda: (site.released.wait(120), (200, {"Content-Type": "text/html"}, b"late"))[1]
    site.page("/mixed.xml", rss(ARTICLES, site.base).replace("</channel>", _items(site.base, ["/slow"]) + "</channel>"))
    process = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "ingest", "--interval", "60", f"{site.base}/mixed.xml"],
        cwd=PROJECT_ROOT,
        env=env_of(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (site.requested("/slow") and asyncio.run(record_count(settings, settings.topic("articles"))) >= 5):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        _out, err = process.communicate(timeout=60)
        took = time.monotonic() - stopping
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert took < 20  # the pass was cancelled, not waited for (the slow page holds it for 120 s)
    assert "Traceback" not in err
    urls = {event["url"] for _key, event in published(settings)}
    assert len(urls) >= 5
    assert urls <= asyncio.run(seen_keys(settings))  # no article out without its seen record
