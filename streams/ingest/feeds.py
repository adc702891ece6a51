"""Sources: RSS 2.0 and Atom feeds (feedparser), news sitemaps and sitemap indexes (lxml), and the files
that list them. Each gives the article links it announces, with what it says about them."""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
from lxml import etree

from streams.ingest import IngestError
from streams.ingest.urls import is_web_url

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
#: Child sitemaps read from one sitemap index (a site's index can list thousands of archive sitemaps).
MAX_CHILD_SITEMAPS = 50


class FeedError(IngestError):
    """A source whose body is not a feed or a sitemap."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One article link as a source announces it; the page itself may say better (extract.py)."""

    url: str
    source: str  # the feed or sitemap it came from
    title: str | None = None
    published_at: str | None = None  # ISO 8601
    authors: tuple[str, ...] = ()
    site_name: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    entries: list[Entry]
    sitemaps: list[str]  # the children of a sitemap index, to be read as sources in their turn


def read_source_list(path: Path) -> list[str]:
    """The URLs of a source file: one a line; blank lines and lines starting with # are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def parse_source(body: bytes, url: str, content_type: str = "") -> Parsed:
    """The article links of a feed or sitemap body; `FeedError` when it is neither."""
    root = _sitemap_root(body)
    if root is not None:
        return _parse_sitemap(root, url)
    # A stream, never bytes: feedparser treats a bytes argument that looks like a path or URL as one to open.
    headers = {"content-location": url, "content-type": content_type}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        raise FeedError("not_a_feed", f"neither RSS, Atom nor a sitemap ({problem or 'no feed element'})")
    site = parsed.feed.get("title") or None
    entries = []
    for item in parsed.entries:
        link = item.get("link")
        if not link:
            continue
        when = item.get("published_parsed") or item.get("updated_parsed")
        authors = tuple(a["name"] for a in item.get("authors", ()) if a.get("name"))
        entries.append(
            Entry(
                url=urljoin(url, link),
                source=url,
                title=item.get("title") or None,
                published_at=_iso(when),
                authors=authors,
                site_name=site,
            )
        )
    return Parsed(entries, [])


def _iso(when: object) -> str | None:
    """feedparser's UTC struct_time as ISO 8601."""
    if when is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(when), tz=UTC).isoformat()  # type: ignore[arg-type]


def _sitemap_root(body: bytes) -> etree._Element | None:
    # No entities, no network, no huge trees: the body is the open web's.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None
    return root if root.tag in {f"{SITEMAP_NS}urlset", f"{SITEMAP_NS}sitemapindex"} else None


def _parse_sitemap(root: etree._Element, url: str) -> Parsed:
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        children = [urljoin(url, loc.text.strip()) for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text]
        return Parsed([], [c for c in children if is_web_url(c)][:MAX_CHILD_SITEMAPS])
    entries = []
    for node in root.iter(f"{SITEMAP_NS}url"):
        loc = node.findtext(f"{SITEMAP_NS}loc")
        if not loc:
            continue
        news = node.find(f"{NEWS_NS}news")
        entries.append(
            Entry(
                url=urljoin(url, loc.strip()),
                source=url,
                title=_text(news, f"{NEWS_NS}title"),
                published_at=_text(news, f"{NEWS_NS}publication_date"),
                site_name=_text(news, f"{NEWS_NS}publication/{NEWS_NS}name"),
            )
        )
    return Parsed(entries, [])


def _text(node: etree._Element | None, path: str) -> str | None:
    if node is None:
        return None
    value = node.findtext(path)
    return value.strip() if value and value.strip() else None
