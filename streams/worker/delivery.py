"""Delivery: how a batch's results reach Kafka, and when its inputs may be acknowledged.

One unit decides all of it, so that the at-least-once rule can be read in one place:

- **send**: every output of an article goes straight to the producer, keyed by the article id (what it
  teaches the people table, by surname);
- **de-duplication** (`DEDUP_WINDOW_SECONDS`): decided once per article, before anything is sent, and
  recorded only after the broker acknowledged the article's outputs (a failed send is never "seen");
- **retries**: only errors the broker or the network may get over (leader changes, timeouts, lost
  connections) are retried, with a backoff and a bound, and only the messages that failed are sent
  again. Past the bound the batch is given up *unacknowledged* (`DeliveryError`): the worker stops and
  the batch is read again after the restart. Nothing is acknowledged that was not delivered;
- **dead letters**: an input that could not be enriched, or whose output the broker refuses for good
  (too large, not authorized, invalid), goes to the dead-letter topic with the reason and its original
  bytes, cut to fit the topic's message size when it must be (then flagged `original_truncated`);
- **transactions** (`exactly_once`): each output joins the transaction of its input's partition; any
  failure aborts (raises), and Faust re-processes the batch;
- **acknowledgements**: only after delivery, inside `gate` (which Faust's commits wait on under
  exactly_once), and only acks of inputs in `delivered` may advance the committed offsets (see
  `streams.worker.guards.count_only_delivered_acks`).

Nothing here knows Faust: the producer is anything with `send`, an input is a `Source` and a handle that
the caller's `ack` takes. `tests/test_delivery.py` drives it with a fake producer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka.errors import KafkaError, KafkaTimeoutError, ProducerClosed

from streams import events
from streams.enrich import RECORD_OVERHEAD, Output, Rejected, Result, fits
from streams.worker.dedup import DedupWindow, content_hash

log = logging.getLogger("streams.worker.delivery")


class Producer(Protocol):
    async def send(
        self, topic: str, key: bytes | None, value: bytes, transactional_id: str | None
    ) -> Awaitable[object]: ...


@dataclass(frozen=True, slots=True)
class Source:
    """Where an input came from, as a dead letter names it and as acknowledgements count it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes

    @property
    def position(self) -> tuple[str, int, int]:
        return (self.topic, self.partition, self.offset)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for retriable send errors: `attempts` tries in all, the waits doubling up to `max_delay`."""

    attempts: int = 8
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delays(self) -> Iterator[float]:
        delay = self.first_delay
        for _ in range(self.attempts - 1):
            yield delay
            delay = min(delay * 2, self.max_delay)


class DeliveryError(RuntimeError):
    """A batch could not be delivered; it was not acknowledged and will be read again."""


def retriable(exc: BaseException) -> bool:
    """Whether sending again may succeed: the broker says so, or the request timed out."""
    if isinstance(exc, ProducerClosed):
        return False
    return isinstance(exc, KafkaTimeoutError | TimeoutError) or (isinstance(exc, KafkaError) and exc.retriable)


def dead_letter(source: Source, error: str, reason: str, limit: int) -> Output:
    """The dead letter of an input; its original cut to what fits under `limit` when the whole would not."""
    letter = events.dead_letter_event(
        error=error,
        reason=reason,
        original=source.value,
        topic=source.topic,
        partition=source.partition,
        offset=source.offset,
        key=source.key,
    )
    output = Output("deadletter", source.key, events.dumps(letter))
    if fits(output, limit):
        return output
    # base64 is 4/3 of the bytes; what is left after the envelope goes to the original.
    envelope = len(output.value) - len(letter["original_base64"])
    room = max(0, (limit - RECORD_OVERHEAD - len(source.key or b"") - envelope) * 3 // 4 - 4)
    letter = events.dead_letter_event(
        error=error,
        reason=reason,
        original=source.value[:room],
        topic=source.topic,
        partition=source.partition,
        offset=source.offset,
        key=source.key,
        original_size=len(source.value),
    )
    return Output("deadletter", source.key, events.dumps(letter))


@dataclass
class Outcome:
    """What a batch's delivery did: messages sent by logical topic, repeats dropped, dead letters by error."""

    sent: dict[str, int] = field(default_factory=dict)
    repeats: int = 0
    dead_letters: list[str] = field(default_factory=list)


@dataclass
class _Article:
    """One input's delivery in progress."""

    source: Source
    handle: Any
    pending: list[Output]
    digest: str | None = None  # set when the de-duplication window must record it once delivered
    transaction: str | None = None  # exactly_once: the transaction its outputs join


class Delivery:
    def __init__(
        self,
        producer: Producer,
        topic_names: dict[str, str],
        *,
        max_message_bytes: int,
        dedup: DedupWindow | None = None,
        transactional_id: Callable[[Source], str | None] = lambda source: None,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        send_timeout: float = 60.0,
        stop_grace: float = 10.0,
    ) -> None:
        self.producer = producer
        self.topic_names = topic_names
        self.limit = max_message_bytes
        self.dedup = dedup
        self.transactional_id = transactional_id
        self.policy = policy
        self.sleep = sleep
        #: Held from a batch's first send to its last ack; Faust's commits wait on it under exactly_once.
        self.gate = asyncio.Lock()
        #: Positions of inputs being acknowledged after delivery: the only acks that advance offsets.
        self.delivered: set[tuple[str, int, int]] = set()
        #: How long one round of sends may wait for the broker's acknowledgements (the producer's own
        #: request timeout can be minutes); once stopping, at most `stop_grace` more.
        self.send_timeout = send_timeout
        self.stop_grace = stop_grace
        self._stopped_at: float | None = None

    @property
    def stopping(self) -> bool:
        return self._stopped_at is not None

    def stop(self) -> None:
        """The worker is stopping: no more retries, and sends wait at most `stop_grace` more. A batch that
        is not delivered by then is given up unacknowledged (read again after the restart)."""
        if self._stopped_at is None:
            self._stopped_at = asyncio.get_running_loop().time()

    async def deliver_and_ack(
        self, batch: Sequence[tuple[Source, Any, Result]], ack: Callable[[Any], Awaitable[object]]
    ) -> Outcome:
        """Deliver each (source, handle, result) of a batch, then `ack` each handle, in order."""
        async with self.gate:
            outcome = Outcome(sent=dict.fromkeys(self.topic_names, 0))
            planned: set[tuple[str, str]] = set()  # a batch can hold both copies of a re-publication
            articles = [self._plan(source, handle, result, outcome, planned) for source, handle, result in batch]
            for article in articles:
                article.transaction = self.transactional_id(article.source)
            await self._send_all(articles, outcome)
            for article in articles:
                if self.dedup is not None and article.digest is not None:
                    self.dedup.record((article.source.key or b"").decode(errors="replace"), article.digest)
                self.delivered.add(article.source.position)
                try:
                    await ack(article.handle)
                finally:
                    self.delivered.discard(article.source.position)
            return outcome

    def _plan(
        self, source: Source, handle: Any, result: Result, outcome: Outcome, planned: set[tuple[str, str]]
    ) -> _Article:
        """What to send for one input: its outputs, its dead letter, or nothing (a repeat)."""
        if isinstance(result, Rejected):
            outcome.dead_letters.append(result.error)
            return _Article(source, handle, [dead_letter(source, result.error, result.reason, self.limit)])
        if self.dedup is None:
            return _Article(source, handle, list(result))
        enriched = next(output for output in result if output.topic == "enriched")
        seen = ((enriched.key or b"").decode(errors="replace"), content_hash(enriched.value))
        if seen in planned or self.dedup.contains(*seen):
            outcome.repeats += 1
            return _Article(source, handle, [])
        planned.add(seen)
        return _Article(source, handle, list(result), seen[1])

    async def _send_all(self, articles: list[_Article], outcome: Outcome) -> None:
        """Send every pending output; retry what failed with a retriable error; dead-letter the rest."""
        delays = self.policy.delays()
        while True:
            failures = await self._send_round(articles, outcome)
            if not failures:
                return
            if any(article.transaction is not None for article, _ in failures):
                raise DeliveryError(f"a send failed inside a transaction: {failures[0][1]!r}") from failures[0][1]
            fatal = [(article, exc) for article, exc in failures if not retriable(exc)]
            for article, exc in fatal:
                self._dead_letter_instead(article, exc, outcome)
            if len(fatal) < len(failures):
                delay = next(delays, None)
                if delay is None or self.stopping:
                    exc = failures[0][1]
                    raise DeliveryError(f"gave up sending after {self.policy.attempts} tries: {exc!r}") from exc
                log.warning("%d sends failed (%r); retrying them in %.1fs", len(failures), failures[0][1], delay)
                await self.sleep(delay)
                if self.stopping:
                    raise DeliveryError("stopping: the batch is given up unacknowledged") from failures[0][1]

    async def _send_round(self, articles: list[_Article], outcome: Outcome) -> list[tuple[_Article, BaseException]]:
        """Send each article's pending outputs once; keep the failed ones pending; return the failures."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.send_timeout
        queued = await self._queue_all(articles, deadline)
        acks = await self._settle_all([sent for _, _, sent in queued], deadline)
        failures: dict[int, tuple[_Article, BaseException]] = {}
        for article in articles:
            article.pending = []
        for (article, output, _), error in zip(queued, acks, strict=True):
            if error is None:
                outcome.sent[output.topic] = outcome.sent.get(output.topic, 0) + 1
                continue
            if isinstance(error, ProducerClosed):
                raise DeliveryError("the producer was closed while a batch was being sent") from error
            article.pending.append(output)
            failures.setdefault(id(article), (article, error))
        return list(failures.values())

    async def _queue_all(
        self, articles: list[_Article], deadline: float
    ) -> list[tuple[_Article, Output, asyncio.Future[object] | BaseException]]:
        """Hand every pending output to the producer, in order: a future per output, or why it was refused
        before it left (too large for the producer, closed). One deadline for all of them, not a task per
        send (a worker sends about 80 messages an article): the producer waits for a topic's metadata,
        which is forever while the broker is away."""
        outputs = [(article, output) for article in articles for output in article.pending]
        queued: list[tuple[_Article, Output, asyncio.Future[object] | BaseException]] = []
        try:
            async with asyncio.timeout_at(deadline):
                for article, output in outputs:
                    try:
                        sent = await self.producer.send(
                            self.topic_names[output.topic], output.key, output.value, article.transaction
                        )
                        queued.append((article, output, asyncio.ensure_future(sent)))
                    except TimeoutError:
                        raise
                    except Exception as exc:
                        queued.append((article, output, exc))
        except TimeoutError:
            late = TimeoutError("the producer did not take the message in time")
            queued += [(article, output, late) for article, output in outputs[len(queued) :]]
        return queued

    async def _settle_all(
        self, sends: list[asyncio.Future[object] | BaseException], deadline: float
    ) -> list[BaseException | None]:
        """Wait for every send's acknowledgement until `deadline` (or the grace left once stopping); a send
        not acknowledged by then counts as timed out (retriable; a late delivery is a duplicate)."""
        loop = asyncio.get_running_loop()
        pending = {sent for sent in sends if isinstance(sent, asyncio.Future)}
        while pending:
            if self._stopped_at is not None:
                deadline = min(deadline, self._stopped_at + self.stop_grace)
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            # In slices, so that a stop during a long wait is noticed.
            pending = (await asyncio.wait(pending, timeout=min(remaining, 1.0)))[1]
        return [_outcome_of(sent) for sent in sends]

    def _dead_letter_instead(self, article: _Article, exc: BaseException, outcome: Outcome) -> None:
        """The broker refuses an output for good: the article goes to the dead letters instead.

        Its outputs that were delivered stay delivered (ids make them harmless to consumers). A dead letter
        the broker refuses for good cannot be replaced by anything: the batch is given up unacknowledged.
        """
        if any(output.topic == "deadletter" for output in article.pending):
            raise DeliveryError(f"the dead-letter topic refused a message: {exc!r}") from exc
        topics = ", ".join(sorted({output.topic for output in article.pending}))
        reason = f"the broker refused its {topics} output: {exc!r}"
        log.error("offset %s of %s: %s; dead-lettered", article.source.offset, article.source.topic, reason)
        article.pending = [dead_letter(article.source, "delivery_failed", reason, self.limit)]
        article.digest = None
        outcome.dead_letters.append("delivery_failed")


def _outcome_of(sent: asyncio.Future[object] | BaseException) -> BaseException | None:
    """None when the broker acknowledged a send, else the error (a send still waiting: timed out)."""
    if isinstance(sent, BaseException):
        return sent
    if not sent.done():
        return TimeoutError("no acknowledgement in time")
    if sent.cancelled():
        return TimeoutError("the send was cancelled")
    return sent.exception()
