"""Canonical URLs and the article ids derived from them."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from courlan import is_external, normalize_url

from streams import events


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters (utm_*, fbclid, gclid, ref, ...) and without its fragment.

    courlan (trafilatura's URL library) keeps the other parameters, sorted, and lowercases the host and drops
    a default port, so two spellings of one link agree.
    """
    try:
        normalized = normalize_url(url, strict=False)
    except ValueError:  # courlan refuses what it cannot parse; keep the URL as given
        normalized = url
    parts = urlsplit(normalized)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def canonical_url(page_url: str, declared: str | None) -> str:
    """The page's rel=canonical when it has a usable one, else its URL without tracking parameters.

    Ignored: a canonical on another site (any page could otherwise claim another site's article, which
    would then be skipped as seen, or published with this page's text), and one that points an article at
    its site's home page, a common misconfiguration that would make every article of the site one.
    """
    fallback = strip_tracking(page_url)
    if not declared or not is_web_url(declared):
        return fallback
    canonical = strip_tracking(declared)
    if is_external(canonical, fallback):
        return fallback
    if urlsplit(canonical).path == "/" and urlsplit(fallback).path != "/":
        return fallback
    return canonical


def article_id(canonical: str) -> str:
    """The id of the article at `canonical`: the rule `streams publish` applies to an article with a url."""
    return events.derived_article_id(canonical, "")


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"
