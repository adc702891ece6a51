"""A news site for the ingestion tests, served from 127.0.0.1: 20 articles with real-looking clutter
(navigation, cookie banner, share bar, newsletter box, related links, comments, footer) behind an RSS and an
Atom feed, plus the bad inputs (404, 500, a timeout, a redirect loop, a 50 MB page, ...)."""

from __future__ import annotations

import contextlib
import hashlib
import html
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITE_NAME = "The Harbour Gazette"
NAV = ["Home", "World", "Business", "Technology", "Sport", "Culture", "Opinion", "Podcasts", "Sign in"]
COOKIE_BANNER = (
    "We value your privacy. We and our 842 partners store and access information on your device, such as "
    "cookies, to personalise advertising and measure audiences. Accept all cookies or manage preferences."
)
NEWSLETTER = "Sign up for the Morning Briefing: the day's top stories in your inbox every weekday at seven."
SHARE = "Share on Facebook Share on X Share by email Copy link"
FOOTER = "© 2026 The Harbour Gazette. All rights reserved. Privacy policy. Terms of use. Contact the newsroom."
COMMENTS = [
    ("harbourwatcher", "About time somebody said it. My father lost his boat in the last storm and nobody cared."),
    ("skeptic42", "Another overpriced scheme that will run two years late, mark my words, folks."),
    ("lurker_since_2009", "Great reporting as always, though I wish you would cover the suburbs more often."),
]
CAPTION = "Workers inspect the site at dawn on Tuesday. Photograph: Press Agency"
ADVERT = "Advertisement - story continues below"
MOST_READ = [
    "Celebrity chef opens floating restaurant",
    "Five walks to try before winter sets in",
    "Quiz: how well do you know the coastline?",
]
#: Words and phrases that must never reach an article's text.
CLUTTER = [
    COOKIE_BANNER,
    NEWSLETTER,
    SHARE,
    FOOTER,
    CAPTION,
    ADVERT,
    "Related stories",
    "Most read",
    *MOST_READ,
    *(text for _, text in COMMENTS),
]

TOPICS = [
    ("harbour wall", "Anna Lindqvist", "the mayor", "city council", "Northport"),
    ("tram extension", "Marek Novak", "the transport commissioner", "regional authority", "Eastbridge"),
    ("hospital wing", "Dr Helen Achebe", "the hospital director", "health board", "Millbrook"),
    ("school meals", "Tomas Herrera", "the education minister", "education ministry", "Southvale"),
    ("wind farm", "Ingrid Solberg", "the energy secretary", "energy agency", "Westcliff"),
    ("river clean-up", "Paolo Ricci", "the environment officer", "water authority", "Lakeside"),
    ("library closures", "Fatima Ouali", "the culture councillor", "borough council", "Oldtown"),
    ("bus strike", "George Mensah", "the union leader", "transport union", "Kingsford"),
    ("housing plan", "Sofia Kowalski", "the housing minister", "housing department", "Riverside"),
    ("airport noise", "Hans Becker", "the residents' spokesman", "airport operator", "Fairfield"),
    ("flood defences", "Aisha Rahman", "the flood engineer", "coastal agency", "Marshton"),
    ("police budget", "Daniel Okafor", "the police commissioner", "police authority", "Stonebury"),
    ("bridge repairs", "Elena Petrova", "the chief engineer", "highways agency", "Crossmere"),
    ("market hall", "Luis Ortega", "the market trader", "traders' association", "Greenhill"),
    ("water prices", "Karin Holm", "the regulator", "utility regulator", "Brookdale"),
    ("fishing quotas", "Sean Murphy", "the fishermen's representative", "fisheries board", "Baymouth"),
    ("tax rebate", "Yuki Tanaka", "the finance minister", "finance ministry", "Highpoint"),
    ("museum reopening", "Claire Dubois", "the museum curator", "heritage trust", "Ashford"),
    ("port expansion", "Ahmed Saleh", "the port director", "port authority", "Deepwater"),
    ("stadium deal", "Rosa Lima", "the club chairwoman", "football club", "Redfield"),
]

SENTENCES = [
    "The {org} approved plans on {day} for the {topic} in {place}, after months of public debate and two "
    "rounds of consultation that drew more than {n1} written responses.",
    '"We cannot keep postponing decisions that affect every family in {place}," said {person}, {role}, '
    "speaking to reporters outside the town hall.",
    "Officials estimate the {topic} will cost about {n2} million euros over the next {n3} years, a figure "
    "that opposition members described as optimistic.",
    "Critics argue that the {org} underestimated the disruption, pointing to a survey in which {pct} percent "
    "of residents said they had not been consulted properly.",
    "{person} rejected that view on {day} evening, insisting that independent engineers had checked every "
    "part of the proposal twice.",
    "Local businesses in {place} gave the announcement a cautious welcome, although several shop owners "
    "warned that the works would cut trade during the busiest months.",
    "The decision follows a report published in spring which found that the existing arrangements in {place} "
    "no longer met national standards.",
    "According to the {org}, construction could start as early as {month}, with the first phase finished "
    "before the end of the following year.",
    'Asked whether the timetable was realistic, {person} said: "Nothing about this is easy, but the '
    'alternative is to do nothing, and that is not an option."',
    "Campaigners who have followed the {topic} for years said they would study the details before deciding "
    "whether to challenge the plan in court.",
    "The national government has promised to cover roughly a third of the cost, provided that the {org} "
    "publishes quarterly progress reports.",
    "Residents will be able to comment on the final drawings at a series of meetings in {place} during "
    "{month}, the {org} said in a statement.",
    "Neighbouring towns are watching closely, since the {topic} in {place} is widely seen as a test case for "
    "similar projects across the region.",
    "Turnout at last week's public meeting was the highest in a decade, with people queueing outside the "
    "community centre an hour before the doors opened.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["March", "April", "May", "June", "September", "October"]


@dataclass(frozen=True)
class Article:
    index: int
    slug: str
    title: str
    author: str
    published: datetime
    paragraphs: list[str]
    has_canonical: bool  # without one, the ingester's canonical URL is the link without tracking parameters

    @property
    def path(self) -> str:
        return f"/news/{self.slug}"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def make_articles(count: int = 20) -> list[Article]:
    articles = []
    for index in range(count):
        topic, person, role, org, place = TOPICS[index % len(TOPICS)]
        rng = random.Random(index)
        values = {
            "topic": topic,
            "person": person,
            "role": role,
            "org": org,
            "place": place,
            "day": rng.choice(DAYS),
            "month": rng.choice(MONTHS),
            "n1": rng.randint(300, 4000),
            "n2": rng.randint(5, 400),
            "n3": rng.randint(2, 9),
            "pct": rng.randint(20, 70),
        }
        chosen = rng.sample(SENTENCES, 10)
        sentences = [s.format(**values) for s in chosen]
        paragraphs = [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
        zone = timezone(timedelta(hours=index % 3))  # offsets +00:00, +01:00, +02:00
        published = datetime(2026, 11, 1 + index, 6 + index % 12, 15 + index, tzinfo=zone)
        title = f"{place} {org} backs {topic} after long debate"
        slug = "-".join([place.lower(), *topic.replace("'", "").split(), str(index)])
        articles.append(Article(index, slug, title, person, published, paragraphs, has_canonical=index % 4 != 3))
    return articles


def page_html(article: Article, base: str, related: list[Article]) -> str:
    e = html.escape
    nav = "".join(f'<li><a href="/{e(item.lower())}">{e(item)}</a></li>' for item in NAV)
    body = [f"<p>{e(p)}</p>" for p in article.paragraphs]
    if article.index % 3 == 2:  # an advertisement slot between paragraphs
        body.insert(3, f'<div class="ad-slot" aria-label="Advertisement"><span>{e(ADVERT)}</span></div>')
    if article.index % 3 == 1:  # a photo with its caption and credit at the top of the story
        body.insert(
            0, f'<figure><img src="/img/{article.index}.jpg" alt=""><figcaption>{e(CAPTION)}</figcaption></figure>'
        )
    body.insert(
        2,
        f'<aside class="newsletter-signup"><h3>Newsletter</h3><p>{e(NEWSLETTER)}</p>'
        '<form><input type="email" placeholder="Your email"><button>Subscribe</button></form></aside>',
    )
    related_items = "".join(f'<li><a href="{r.path}">{e(r.title)}</a></li>' for r in related)
    related_box = f'<aside class="related"><h2>Related stories</h2><ul>{related_items}</ul></aside>'
    most_read = "".join(f"<li><a href='/popular/{n}'>{e(title)}</a></li>" for n, title in enumerate(MOST_READ))
    inside, after = (related_box, "") if article.index % 2 else ("", related_box)  # in the article, or beside it
    comments = "".join(
        f'<div class="comment"><p class="comment-author">{e(user)}</p><p>{e(text)}</p></div>' for user, text in COMMENTS
    )
    when = article.published.isoformat()
    canonical = f'<link rel="canonical" href="{base}{article.path}">' if article.has_canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(article.title)} | {SITE_NAME}</title>
<meta property="og:title" content="{e(article.title)}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="article:published_time" content="{when}">
<meta name="author" content="{e(article.author)}">
{canonical}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "news"}});</script>
</head><body>
<div id="cookie-banner" class="cookie-consent" role="dialog"><p>{e(COOKIE_BANNER)}</p>
<button>Accept all</button><button>Manage preferences</button></div>
<header class="site-header"><a class="logo" href="/">{SITE_NAME}</a><nav class="main-nav"><ul>{nav}</ul></nav></header>
<div class="breadcrumbs"><a href="/">Home</a> › <a href="/news">News</a></div>
<main><article class="story">
<h1>{e(article.title)}</h1>
<p class="byline">By <a rel="author" href="/authors/{article.index}">{e(article.author)}</a>
<time datetime="{when}">{article.published:%d %B %Y}</time></p>
<div class="share-bar">{e(SHARE)}</div>
<div class="story-body">{"".join(body)}</div>
{inside}</article>
{after}<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>
<section id="comments" class="comments"><h2>Comments ({len(COMMENTS)})</h2>{comments}</section>
</main>
<footer class="site-footer"><p>{e(FOOTER)}</p></footer>
</body></html>"""


def rss(articles: list[Article], base: str, link: Callable[[Article], str] | None = None) -> str:
    link = link or (lambda a: f"{base}{a.path}?utm_source=rss&utm_medium=feed")
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{html.escape(link(a))}</link>"
        f"<guid>{base}{a.path}</guid><pubDate>{format_datetime(a.published)}</pubDate>"
        f"<description>{html.escape(a.paragraphs[0][:120])}</description></item>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{SITE_NAME}</title><link>{base}/</link><description>News</description>{items}</channel></rss>"
    )


def atom(articles: list[Article], base: str) -> str:
    entries = "".join(
        f'<entry><title>{html.escape(a.title)}</title><link rel="alternate" href="{base}{a.path}"/>'
        f"<id>{base}{a.path}</id><published>{a.published.isoformat()}</published>"
        f"<updated>{a.published.isoformat()}</updated><author><name>{html.escape(a.author)}</name></author></entry>"
        for a in articles
    )
    updated = max(a.published for a in articles).astimezone(UTC).isoformat()
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{SITE_NAME}</title><id>{base}/</id><updated>{updated}</updated>{entries}</feed>"
    )


# --- the server --------------------------------------------------------------------------------------

Reply = tuple[int, dict[str, str], bytes | Iterator[bytes]]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int  # 0 until answered
    at: float  # time.monotonic() when the request arrived


@dataclass
class Site:
    """Routes (path -> reply or callable) served on 127.0.0.1; every request and answer is recorded."""

    routes: dict[str, Reply | Callable[[], Reply]] = field(default_factory=dict)
    conditional: set[str] = field(default_factory=set)  # paths answered with ETag, Last-Modified and 304
    requests: list[Seen] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)  # ends the slow route's wait
    streamed: dict[str, int] = field(default_factory=dict)  # bytes written per streamed path
    base: str = ""

    def page(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = (200, {"Content-Type": content_type}, body.encode())

    def requested(self, path: str) -> list[Seen]:
        """The requests for `path`, whatever their query."""
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        seen = Seen(handler.path, dict(handler.headers.items()), 0, time.monotonic())
        self.requests.append(seen)  # on arrival: a route may take its time to answer
        route = self.routes.get(handler.path.split("?")[0])  # served whatever the query (tracking) says
        reply = route() if callable(route) else route
        status, headers, body = reply if reply is not None else (404, {"Content-Type": "text/plain"}, b"not found")
        if handler.path.split("?")[0] in self.conditional and isinstance(body, bytes):
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = {**headers, "ETag": etag, "Last-Modified": "Sat, 28 Nov 2026 08:00:00 GMT"}
            if handler.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        seen.status = status
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if isinstance(body, bytes):
            if status != 304:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up
                handler.wfile.write(body)
            return
        handler.end_headers()  # a stream: no length, written until the client hangs up
        written = 0
        try:
            for chunk in body:
                handler.wfile.write(chunk)
                written += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.streamed[handler.path] = written


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.0"  # one request per connection: a closed stream ends the response

    def do_GET(self) -> None:
        self.site.handle(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(site: Site) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    return server, site.base


@contextlib.contextmanager
def served_news_site(articles: list[Article]) -> Iterator[Site]:
    """A `Site` with the articles and their feeds (`news_site`), served until the block ends."""
    site = Site()
    server, _base = serve(site)
    try:
        news_site(site, articles)
        yield site
    finally:
        site.released.set()
        server.shutdown()
        server.server_close()


def news_site(site: Site, articles: list[Article]) -> None:
    """The 20 articles, /rss.xml (links with tracking parameters) and /atom.xml (plain links)."""
    base = site.base
    for article in articles:
        related = [articles[(article.index + k) % len(articles)] for k in (1, 2, 3)]
        site.page(article.path, page_html(article, base, related))
    site.page("/rss.xml", rss(articles, base), "application/rss+xml")
    site.page("/atom.xml", atom(articles, base), "application/atom+xml")
    site.conditional |= {"/rss.xml", "/atom.xml"}
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")


def words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+", text.casefold())


def recall_precision(extracted: str, gold: str) -> tuple[float, float]:
    """Word recall and precision of `extracted` against `gold` (multisets of lower-cased words)."""
    from collections import Counter

    got, want = Counter(words(extracted)), Counter(words(gold))
    common = sum((got & want).values())
    return common / max(1, sum(want.values())), common / max(1, sum(got.values()))


def fifty_megabytes() -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><body>"
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    for _ in range(50 * 1024 * 1024 // len(chunk)):
        yield chunk
