"""Main text and metadata of an article page (trafilatura): text without navigation, banners, newsletter
boxes, related links or comments; title, authors, publication time, canonical URL, site name, language."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import trafilatura

from streams.ingest import IngestError
from streams.ingest.fetch import HTML_TYPES

# htmldate (trafilatura's date finder) truth-tests lxml elements, which lxml 6 warns about on every page.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"htmldate\..*")

#: htmldate's output format: with the time of day and the offset when the page gives them.
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class ExtractError(IngestError):
    """A page with nothing to publish: `reason` is not_html or no_text."""


@dataclass(frozen=True, slots=True)
class Page:
    text: str  # paragraphs separated by a blank line, as the worker's paragraph splitter expects
    title: str | None
    authors: tuple[str, ...]
    published_at: str | None  # ISO 8601; a bare date when the page gives no time of day
    canonical: str | None  # the page's own rel=canonical (or og:url), absolute
    site_name: str | None
    language: str | None


def is_html(content_type: str, body: bytes) -> bool:
    """By the Content-Type; a missing one by a look at the first bytes."""
    if content_type:
        return content_type in HTML_TYPES
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def extract(body: bytes, url: str, content_type: str, charset: str | None) -> Page:
    """The article in an HTML page; `ExtractError` when it is not HTML or has no main text."""
    if not is_html(content_type, body):
        raise ExtractError("not_html", f"Content-Type {content_type or 'unknown'}, not HTML")
    # The server's charset when it gives one; otherwise trafilatura guesses from the bytes and meta tags.
    html: str | bytes = body.decode(charset, errors="replace") if charset and _known(charset) else body
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params={"outputformat": DATE_FORMAT, "original_date": True, "extensive_search": True},
    )
    if document is None or not (document.text or "").strip():
        raise ExtractError("no_text", "no main text found")
    title = (document.title or "").strip() or None
    lines = [line.strip() for line in document.text.splitlines() if line.strip()]
    if title and lines and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line; it is the title field
    if not lines:
        raise ExtractError("no_text", "only a headline")
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    return Page(
        text="\n\n".join(lines),
        title=title,
        authors=authors,
        published_at=_iso(document.date),
        canonical=urljoin(url, document.url) if document.url else None,
        site_name=(document.sitename or "").strip() or None,
        language=(document.language or "").strip() or None,
    )


def _iso(date: str | None) -> str | None:
    """htmldate's date as ISO 8601: a bare date when it found no time of day (its midnight means none)."""
    if not date:
        return None
    try:
        parsed = datetime.strptime(date, DATE_FORMAT)
    except ValueError:
        try:
            parsed = datetime.strptime(date, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return date
    if parsed.tzinfo is None and (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0):
        return parsed.date().isoformat()
    return parsed.isoformat()


def _known(charset: str) -> bool:
    try:
        "".encode(charset)
    except LookupError:
        return False
    return True
