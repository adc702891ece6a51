"""The worker's read-only HTTP API (Faust web views), described in openapi.yaml, and the live page.

Keyed reads (a speaker, an article) go to the worker that owns the key (`app.table_route`). Rankings
(top speakers, trending entities) span every key: the worker asked computes its own share and asks the
other owners of the table for theirs (`?scope=local`), then merges.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import faust
from faust.exceptions import SameNode
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.worker import metrics
from streams.worker import state as st

log = logging.getLogger("streams.worker.web")

#: The files of the page, and their content types (anything else under /static/ is a 404).
STATIC_FILES = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}
TOP_MAX = 100
PEER_TIMEOUT = 5.0
#: `scope=local`: this worker's share only (what a worker asks its peers for); the default, every worker's.
SCOPES = ("all", "local")


class BadParameter(ValueError):
    pass


def int_param(query: Mapping[str, str], name: str, default: int, low: int = 1, high: int = TOP_MAX) -> int:
    """An integer query parameter in [low, high]; BadParameter says what is wrong with it."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def choice_param(
    query: Mapping[str, str], name: str, choices: Mapping[str, Any] | tuple[str, ...], default: str
) -> str:
    value = query.get(name)
    if value is None:
        return default
    if value not in choices:
        raise BadParameter(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def static_file(name: str) -> bytes:
    return resources.files("streams").joinpath("static", name).read_bytes()


class WorkerView(View):
    """A view of the worker's API: reads the tables of `streams.worker.state` through `self.state`."""

    @property
    def state(self) -> st.State:
        state = self.app.stream_state  # type: ignore[attr-defined]
        assert state is not None, "the app was built without tables"
        return state

    async def routed(self, request: Request, table: faust.Table, key: str, local: Callable[[], Response]) -> Response:
        """Answer here when this worker owns `key` in `table`, else relay the request to the owner."""
        try:
            return await self.app.router.route_req(table.name, key, self.web, request)
        except SameNode:
            return local()

    async def gather(
        self, request: Request, scope: str, table: faust.Table, local: Callable[[], list[dict]], field: str
    ) -> tuple[list[list[dict]], bool]:
        """This worker's rows and, unless `scope` is local, every other owner's (their `field`); False when a
        peer did not answer."""
        if scope == "local":
            return [local()], True
        me = str(self.app.conf.canonical_url).rstrip("/")
        peers = [host.rstrip("/") for host in self.state.table_hosts(table) if host.rstrip("/") != me]
        answers = await asyncio.gather(*(self.ask_peer(host, request) for host in peers))
        parts = [local(), *[answer[field] for answer in answers if answer is not None]]
        return parts, all(answer is not None for answer in answers)

    async def ask_peer(self, host: str, request: Request) -> dict | None:
        try:
            async with self.app.http_client.get(
                f"{host}{request.path}", params={**request.query, "scope": "local"}, timeout=PEER_TIMEOUT
            ) as response:
                response.raise_for_status()
                return await response.json()
        except Exception as exc:  # a peer mid-rebalance or gone: answer with what we have, say so
            log.warning("peer %s did not answer %s: %r", host, request.path, exc)
            return None


class Health(View):
    async def get(self, request: Request) -> Response:
        assigned = sorted(f"{tp.topic}:{tp.partition}" for tp in self.app.assignor.assigned_actives())
        # Ready (a readiness probe's question): the tables are recovered and no rebalance is under way, so
        # the assigned partitions are being consumed. A worker is live long before it is ready.
        ready = self.app.tables.recovery.completed.is_set() and not self.app.rebalancing
        return self.json({"status": "ok", "app": self.app.conf.id, "ready": ready, "assigned": assigned})


class Metrics(View):
    async def get(self, request: Request) -> Response:
        # aiohttp refuses a content_type with parameters; the exposition format needs its version one.
        return self.bytes(generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})


class Index(View):
    async def get(self, request: Request) -> Response:
        return self.html(static_file("index.html").decode())


class Static(View):
    async def get(self, request: Request, name: str) -> Response:
        if name not in STATIC_FILES:
            return self.error(404, f"no static file {name!r}")
        return self.bytes(static_file(name), content_type=STATIC_FILES[name])


class Speakers(WorkerView):
    async def get(self, request: Request) -> Response:
        try:
            top = int_param(request.query, "top", 10)
            scope = choice_param(request.query, "scope", SCOPES, "all")
        except BadParameter as exc:
            return self.error(400, str(exc))
        state = self.state
        parts, complete = await self.gather(request, scope, state.speakers, lambda: state.top_speakers(top), "speakers")
        return self.json({"speakers": st.merge_ranked(parts, "entity_id", st.speaker_rank, top), "complete": complete})


class SpeakerQuotes(WorkerView):
    async def get(self, request: Request, entity_id: str) -> Response:
        try:
            limit = int_param(request.query, "limit", st.QUOTES_KEPT, high=st.QUOTES_KEPT)
        except BadParameter as exc:
            return self.error(400, str(exc))

        def local() -> Response:
            speaker = self.state.speaker(entity_id)
            if speaker is None:
                return self.error(404, "no quotes by this speaker", entity_id=entity_id)
            return self.json(st.speaker_view(speaker, quotes=limit))

        return await self.routed(request, self.state.speakers, entity_id, local)


class Trending(WorkerView):
    async def get(self, request: Request) -> Response:
        try:
            window = choice_param(request.query, "window", st.WINDOWS, "1h")
            top = int_param(request.query, "top", 10)
            scope = choice_param(request.query, "scope", SCOPES, "all")
        except BadParameter as exc:
            return self.error(400, str(exc))
        state = self.state
        parts, complete = await self.gather(
            request, scope, state.trends, lambda: state.trending(window, top), "entities"
        )
        return self.json(
            {
                "window": window,
                "as_of": datetime.now(UTC).isoformat(timespec="seconds"),
                "entities": st.merge_ranked(parts, "entity_id", st.trending_rank, top),
                "complete": complete,
            }
        )


class Article(WorkerView):
    async def get(self, request: Request, article_id: str) -> Response:
        def local() -> Response:
            article = self.state.article(article_id)
            if article is None:
                return self.error(404, "no such article", article_id=article_id)
            return self.json(article)

        return await self.routed(request, self.state.articles, article_id, local)


#: Path -> view. The API views (after the first four) need the app's tables.
ROUTES: dict[str, type[View]] = {
    "/health": Health,
    "/metrics": Metrics,
    "/": Index,
    "/static/{name}": Static,
    "/speakers": Speakers,
    "/speakers/{entity_id}/quotes": SpeakerQuotes,
    "/entities/trending": Trending,
    "/articles/{article_id}": Article,
}


def register(app: faust.App) -> None:
    """Add the worker's views to `app`."""
    for path, view in ROUTES.items():
        app.page(path)(view)
