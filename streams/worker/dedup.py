"""Optional de-duplication of exact re-publications (DEDUP_WINDOW_SECONDS; off when 0).

An article published twice yields the same ids anyway (ids are derived from the article), so
downstream consumers can de-duplicate by id; this window saves them the repeats when the same
article (same id, same content) is published again within `window` seconds of the first time.

Limits, on purpose: the window lives in the worker's memory (a restart or rebalance forgets it), it is
per worker (two workers only share it when the article key sends both copies to the same partition),
and it is no substitute for exactly_once (a re-delivery after a crash was never "seen" by the new
process).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable


def content_hash(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


class DedupWindow:
    """Remembers (article id, content hash) pairs for `window` seconds; bounded to `max_entries`."""

    def __init__(self, window: float, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.max_entries = max_entries
        self.clock = clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def contains(self, article_id: str, digest: str) -> bool:
        """True when this exact article was delivered within the window."""
        self._expire(self.clock())
        return (article_id, digest) in self._seen

    def record(self, article_id: str, digest: str) -> None:
        """Remember an article once its outputs are delivered (never before: a failed send is not "seen")."""
        now = self.clock()
        self._expire(now)
        key = (article_id, digest)
        if key in self._seen:
            return
        self._seen[key] = now
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)  # the oldest first: memory stays bounded under floods

    def _expire(self, now: float) -> None:
        # Insertion order is time order: drop from the front until an entry is young enough.
        while self._seen:
            key, first_seen = next(iter(self._seen.items()))
            if now - first_seen < self.window:
                return
            del self._seen[key]

    def __len__(self) -> int:
        return len(self._seen)
