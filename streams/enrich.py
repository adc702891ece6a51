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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from streams import events, people
from streams.events import Article, Event, InvalidArticle
from streams.settings import Settings

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True, slots=True)
class Output:
    """One message to send: a logical topic name, the key (the article id; a surname on `person-names`)
    and the serialized value."""

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


def person_name_outputs(lessons: Iterable[tuple[str, str]]) -> list[Output]:
    """What an article teaches the worker's people table (`streams.people.lessons`): one record per full
    name, keyed by its surname (JSON, as Faust keys the `<app>-person-names` topic), so each surname has
    one writer. Computed here, in the parser process, because telling a surname from a place needs the
    gazetteers, which the worker's event loop should neither load (64 MB) nor wait for."""
    return [Output("person-names", events.dumps(surname), events.dumps({"name": name})) for surname, name in lessons]


#: Bytes a record costs in a batch of one beyond its key and value (batch header 61, record header up
#: to 21, headers), with room to spare: what the broker's `max.message.bytes` counts besides the payload.
RECORD_OVERHEAD = 512


def fits(output: Output, limit: int) -> bool:
    """Whether the broker takes `output` under a `max.message.bytes` of `limit` (key and overhead counted)."""
    return len(output.key or b"") + len(output.value) + RECORD_OVERHEAD <= limit


def sized(outputs: list[Output], settings: Settings) -> Result:
    """The outputs, or a rejection when one would be over Kafka's message size (the broker would refuse it)."""
    limit = settings.max_message_bytes
    for output in outputs:
        if not fits(output, limit):
            size = len(output.value) + len(output.key or b"")
            return Rejected("too_large", f"its {output.topic} event is {size} bytes, over the limit of {limit}")
    return outputs


class PipelineFailures:
    """spaCy's error handler for our components: remembers which article a component failed on, and why.

    spaCy calls it with the doc a component (one without an error handler of its own: ours) failed on and
    drops that doc from `nlp.pipe`'s output. Components raise; this is where their errors are caught, and
    `Enricher` decides what becomes of the article. The model's own components raise through `nlp.pipe`
    (spaCy 3.8's parser takes no error handler): that costs their minibatch, retried one at a time.
    """

    def __init__(self) -> None:
        self.failed: dict[int, tuple[str, Exception]] = {}

    def __call__(self, component: str, proc: object, docs: list[Doc], exc: Exception) -> None:
        for doc in docs:
            self.failed[doc.user_data[ARTICLE_INDEX]] = (component, exc)


#: Where a doc carries its article's place in the batch, for `PipelineFailures`.
ARTICLE_INDEX = "streams_article_index"


class Enricher:
    """Holds the pipeline; turns batches of articles into enriched events."""

    def __init__(self, nlp: Language, settings: Settings) -> None:
        self.nlp = nlp
        self.settings = settings
        self.model = model_name(nlp)
        self.failures = PipelineFailures()

    def _docs(self, articles: Sequence[Article]) -> Iterator[Doc]:
        for index, article in enumerate(articles):
            doc = self.nlp.make_doc(article.text)
            doc._.title = article.title
            doc.user_data[ARTICLE_INDEX] = index
            yield doc

    def enrich(self, articles: Iterable[Article]) -> Iterator[Event | Rejected]:
        """Enriched events (or why not) for articles, in order; parses in batches of `spacy_batch_size`."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.settings.spacy_batch_size:
                yield from self.enrich_batch(batch)
                batch = []
        if batch:
            yield from self.enrich_batch(batch)

    def enrich_batch(self, articles: Sequence[Article]) -> list[Event | Rejected]:
        """One enriched event per article, or a `processing_failed` rejection for an article the pipeline
        failed on: one bad article never costs the others."""
        self.failures.failed.clear()
        # Per batch: enrichers may share one pipeline (tests do), and the handler is the pipeline's.
        self.nlp.default_error_handler = self.failures
        try:
            parsed = self.nlp.pipe(self._docs(articles), batch_size=self.settings.spacy_batch_size)
            docs = {doc.user_data[ARTICLE_INDEX]: doc for doc in parsed}
        except Exception as exc:
            if len(articles) > 1:
                return [result for article in articles for result in self.enrich_batch([article])]
            docs, self.failures.failed[0] = {}, ("tokenizer or model", exc)
        failed = dict(self.failures.failed)
        results: list[Event | Rejected] = []
        for index, article in enumerate(articles):
            if index in docs:
                results.append(events.enriched_event(article, docs[index], self.model))
                continue
            component, exc = failed[index]
            log.error("article %s failed in %s: %r", article.article_id, component, exc, exc_info=exc)
            results.append(Rejected("processing_failed", f"the pipeline's {component} failed on it: {exc!r}"))
        return results

    def enrich_raw(self, raws: Sequence[bytes], owners: Mapping[str, str] | None = None) -> list[Result]:
        """Validate, enrich and serialize a batch of raw message values; one result per input, in order.

        `owners`: surname -> the full name the stream knows the person by (`streams.people`); a bare surname
        among the articles' people becomes that person.
        """
        results: list[Result | None] = [None] * len(raws)
        valid: list[tuple[int, Article]] = []
        for index, raw in enumerate(raws):
            try:
                valid.append((index, self.validate(raw)))
            except InvalidArticle as exc:
                results[index] = Rejected(exc.error, exc.reason)
        enriched = self.enrich_batch([article for _, article in valid])
        for (index, _), event in zip(valid, enriched, strict=True):
            if isinstance(event, Rejected):
                results[index] = event
                continue
            # Learnt from the article as written, as `KnownPeople.resolve` learns: a surname this batch
            # rewrote to its owner is no new evidence for that owner.
            lessons = people.lessons(event)
            if owners:
                event = people.rewrite(event, owners.get)
            results[index] = sized(outputs_for(event) + person_name_outputs(lessons), self.settings)
        return [r for r in results if r is not None]

    def validate(self, raw: bytes) -> Article:
        return events.validate_article(
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


def enrich_raw_batch(raws: Sequence[bytes], owners: Mapping[str, str] | None = None) -> list[Result]:
    """Entry point run inside a parser process (picklable: a module-level function)."""
    if _enricher is None:
        raise RuntimeError("parser process was not initialized")
    return _enricher.enrich_raw(raws, owners)
