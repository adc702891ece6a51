"""News in from the open web: feeds and news sitemaps read, article pages fetched, main text extracted and
published to the articles topic, each canonical URL once (`streams ingest`).

`urls` (canonical URLs, article ids), `fetch` (polite async HTTP), `feeds` (RSS, Atom, news sitemaps),
`extract` (trafilatura), `seen` (the compacted topic of published URLs), `metrics` (Prometheus),
`pipeline` (one pass), `service` (the command: passes, progress, signals).
"""


class IngestError(Exception):
    """A source or page the pass skips. `reason` is a stable code (for logs and metrics), `detail` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
