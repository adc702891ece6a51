"""Article in, events out: the one enrichment path the worker and `streams enrich` share.

Pure with respect to Kafka: give it raw message values (or `Article`s) and it gives back the events to
send, already serialized, or the reason an input was rejected. Each article is parsed exactly once.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from streams import events
from streams.events import Article, Event, InvalidArticle
from streams.settings import Settings

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True, slots=True)
class Output:
    """One message to send: a logical topic name, the key (the article id) and the serialized value."""

    topic: str
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class Rejected:
    error: str
    reason: str


Result = list[Output] | Rejected


def model_name(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'model')}@{nlp.meta.get('version', '0')}"


def outputs_for(enriched: Event) -> list[Output]:
    """Every message of one enriched article, keyed by its id so they stay in one partition, in order."""
    key = enriched["article_id"].encode()
    messages = [Output("enriched", key, events.dumps(enriched))]
    messages += [Output(topic, key, events.dumps(event)) for topic, event in events.fan_out(enriched)]
    return messages


def sized(outputs: list[Output], settings: Settings) -> Result:
    """The outputs, or a rejection when one would be over Kafka's message size (the broker would refuse it
    and the batch would never be acknowledged)."""
    limit = settings.max_message_bytes
    for output in outputs:
        if len(output.value) > limit:
            return Rejected(
                "too_large", f"its {output.topic} event is {len(output.value)} bytes, over the limit of {limit}"
            )
    return outputs


class Enricher:
    """Holds the pipeline; turns batches of articles into enriched events."""

    def __init__(self, nlp: Language, settings: Settings) -> None:
        self.nlp = nlp
        self.settings = settings
        self.model = model_name(nlp)

    def _docs(self, articles: Sequence[Article]) -> Iterator[Doc]:
        for article in articles:
            doc = self.nlp.make_doc(article.text)
            doc._.title = article.title
            yield doc

    def enrich(self, articles: Iterable[Article]) -> Iterator[Event]:
        """Enriched events for articles, in order; parses in batches of `spacy_batch_size`."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.settings.spacy_batch_size:
                yield from self._enrich_batch(batch)
                batch = []
        if batch:
            yield from self._enrich_batch(batch)

    def _enrich_batch(self, articles: Sequence[Article]) -> list[Event]:
        docs = self.nlp.pipe(self._docs(articles), batch_size=self.settings.spacy_batch_size)
        return [events.enriched_event(a, doc, self.model) for a, doc in zip(articles, docs, strict=True)]

    def process(self, raws: Sequence[bytes]) -> list[Result]:
        """Validate, parse and serialize a batch of raw message values; one result per input, in order.

        An article that makes the pipeline fail is isolated and rejected alone: one bad article must not
        cost its batch.
        """
        results: list[Result | None] = [None] * len(raws)
        valid: list[tuple[int, Article]] = []
        for index, raw in enumerate(raws):
            try:
                valid.append((index, self.parse(raw)))
            except InvalidArticle as exc:
                results[index] = Rejected(exc.error, exc.reason)
        articles = [article for _, article in valid]
        try:
            enriched = self._enrich_batch(articles)
        except Exception:
            log.exception("batch of %d failed in the pipeline; retrying its articles one by one", len(articles))
            enriched = [self._enrich_one(article) for article in articles]
        for (index, _), event in zip(valid, enriched, strict=True):
            results[index] = event if isinstance(event, Rejected) else sized(outputs_for(event), self.settings)
        return [r for r in results if r is not None]

    def _enrich_one(self, article: Article) -> Event | Rejected:
        try:
            return self._enrich_batch([article])[0]
        except Exception as exc:
            log.exception("article %s failed in the pipeline", article.article_id)
            return Rejected("processing_failed", f"the pipeline failed on this article: {exc!r}")

    def parse(self, raw: bytes) -> Article:
        return events.parse_article(
            raw, max_bytes=self.settings.max_article_bytes, max_depth=self.settings.max_json_depth
        )


# --- a process-wide enricher, for parser processes -----------------------------------------------------

_enricher: Enricher | None = None


def init_process(settings: Settings, parent_pid: int | None = None) -> None:
    """Process-pool initializer: load the pipeline once per parser process.

    `parent_pid`: the worker's pid, in a parser process: it must not outlive a worker killed with SIGKILL
    (an orphan would keep parsing, holding memory and a CPU, for nobody).
    """
    global _enricher
    from streams import nlp

    if parent_pid is not None:
        die_with_parent(parent_pid)

    _enricher = Enricher(nlp.load(settings.spacy_model), settings)


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def process_in_process(raws: Sequence[bytes]) -> list[Result]:
    """Entry point run inside a parser process (picklable: a module-level function)."""
    if _enricher is None:
        raise RuntimeError("parser process was not initialized")
    return _enricher.process(raws)
