"""The worker's read-only HTTP API (Faust web views): health and Prometheus metrics."""

from __future__ import annotations

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams import metrics
from streams.settings import Settings


def register(app: faust.App, settings: Settings) -> None:
    """Add the worker's views to `app`."""

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            assigned = sorted(f"{tp.topic}:{tp.partition}" for tp in app.assignor.assigned_actives())
            return self.json({"status": "ok", "app": settings.app_id, "assigned": assigned})

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            # aiohttp refuses a content_type with parameters; the exposition format needs its version one.
            return self.bytes(generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
