"""The delivery policy (`streams.worker.delivery.Delivery`), driven by a fake producer: what is sent, what
is retried, what is dead-lettered, what is de-duplicated, and what is acknowledged."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import orjson
import pytest
from aiokafka.errors import MessageSizeTooLargeError, NotLeaderForPartitionError, TopicAuthorizationFailedError

from streams import events
from streams.enrich import Output, Rejected, fits
from streams.worker.dedup import DedupWindow
from streams.worker.delivery import Delivery, DeliveryError, RetryPolicy, Source, dead_letter

TOPICS = {"enriched": "t.enriched", "quotes": "t.quotes", "deadletter": "t.deadletter"}
LIMIT = 10_000


class FakeProducer:
    """Records every send; `fail(topic, error, times)` makes the next sends to a topic fail at the broker."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.failures: dict[str, list[BaseException]] = {}

    def fail(self, topic: str, error: BaseException, times: int = 1) -> None:
        self.failures.setdefault(topic, []).extend([error] * times)

    async def send(self, topic: str, key: bytes | None, value: bytes, transactional_id: str | None) -> Awaitable[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        pending = self.failures.get(topic)
        if pending:
            future.set_exception(pending.pop(0))
        else:
            self.sent.append((topic, key, value))
            future.set_result(None)
        return future

    def topics(self) -> list[str]:
        return [topic for topic, _, _ in self.sent]


def source(offset: int, value: bytes = b'{"text": "x"}') -> Source:
    return Source("t.articles", 0, offset, f"a{offset}".encode(), value)


def outputs(offset: int, text: str = "x") -> list[Output]:
    key = f"a{offset}".encode()
    return [
        Output("enriched", key, orjson.dumps({"article_id": f"a{offset}", "text": text})),
        Output("quotes", key, b"{}"),
    ]


async def no_sleep(seconds: float) -> None:
    return None


def delivery(producer: FakeProducer, **kwargs: object) -> Delivery:
    return Delivery(producer, TOPICS, max_message_bytes=LIMIT, sleep=no_sleep, **kwargs)  # type: ignore[arg-type]


class Acks:
    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self.acked: list[object] = []
        self.delivered_when_acked: list[bool] = []

    async def __call__(self, handle: object) -> None:
        assert isinstance(handle, Source)
        self.delivered_when_acked.append(handle.position in self.delivery.delivered)
        self.acked.append(handle.offset)


async def run(d: Delivery, batch: list[tuple[Source, object]]) -> tuple[object, Acks]:
    acks = Acks(d)
    outcome = await d.deliver_and_ack([(s, s, result) for s, result in batch], acks)
    return outcome, acks


async def test_sends_every_output_then_acks_in_order_as_delivered() -> None:
    producer = FakeProducer()
    d = delivery(producer)
    outcome, acks = await run(d, [(source(1), outputs(1)), (source(2), outputs(2))])
    assert producer.topics() == ["t.enriched", "t.quotes", "t.enriched", "t.quotes"]
    assert outcome.sent == {"enriched": 2, "quotes": 2, "deadletter": 0}
    assert acks.acked == [1, 2] and acks.delivered_when_acked == [True, True]
    assert d.delivered == set()  # only while acking


async def test_a_retriable_error_resends_only_what_failed() -> None:
    producer = FakeProducer()
    producer.fail("t.quotes", NotLeaderForPartitionError(), times=2)
    d = delivery(producer)
    outcome, acks = await run(d, [(source(1), outputs(1))])
    # The enriched event went once; the quote failed twice and went on the third round.
    assert producer.topics() == ["t.enriched", "t.quotes"]
    assert outcome.sent == {"enriched": 1, "quotes": 1, "deadletter": 0}
    assert acks.acked == [1]


async def test_retriable_errors_past_the_bound_give_the_batch_up_unacknowledged() -> None:
    producer = FakeProducer()
    producer.fail("t.enriched", NotLeaderForPartitionError(), times=100)
    d = delivery(producer, policy=RetryPolicy(attempts=3))
    with pytest.raises(DeliveryError, match="3 tries"):
        await run(d, [(source(1), outputs(1))])
    assert producer.failures["t.enriched"].__len__() == 97  # three tries, no more


async def test_a_stopping_worker_does_not_retry() -> None:
    producer = FakeProducer()
    producer.fail("t.enriched", NotLeaderForPartitionError(), times=100)
    d = delivery(producer)
    d.stop()
    with pytest.raises(DeliveryError):
        await run(d, [(source(1), outputs(1))])
    assert len(producer.failures["t.enriched"]) == 99


@pytest.mark.parametrize("error", [TopicAuthorizationFailedError(), MessageSizeTooLargeError()])
async def test_a_fatal_error_dead_letters_the_article_and_the_others_go_through(error: Exception) -> None:
    producer = FakeProducer()
    producer.fail("t.quotes", error)
    d = delivery(producer)
    outcome, acks = await run(d, [(source(1), outputs(1)), (source(2), outputs(2))])
    assert outcome.dead_letters == ["delivery_failed"]
    letters = [orjson.loads(v) for t, _, v in producer.sent if t == "t.deadletter"]
    assert [(letter["error"], letter["source"]["offset"]) for letter in letters] == [("delivery_failed", 1)]
    assert type(error).__name__ in letters[0]["reason"]
    assert events.original_bytes(letters[0]) == source(1).value
    assert producer.topics().count("t.quotes") == 1  # article 2's
    assert acks.acked == [1, 2]


async def test_a_refused_dead_letter_stops_the_batch_unacknowledged() -> None:
    producer = FakeProducer()
    producer.fail("t.deadletter", TopicAuthorizationFailedError())
    d = delivery(producer)
    with pytest.raises(DeliveryError, match="dead-letter topic refused"):
        await run(d, [(source(1), Rejected("not_json", "not JSON"))])


async def test_a_rejected_input_is_dead_lettered_with_its_reason_and_original() -> None:
    producer = FakeProducer()
    outcome, acks = await run(delivery(producer), [(source(4, b"{broken"), Rejected("not_json", "not JSON at 1"))])
    ((topic, key, value),) = producer.sent
    letter = orjson.loads(value)
    assert (topic, key, letter["error"], letter["reason"]) == ("t.deadletter", b"a4", "not_json", "not JSON at 1")
    assert events.original_bytes(letter) == b"{broken" and letter["original_truncated"] is False
    assert outcome.dead_letters == ["not_json"] and acks.acked == [4]


def test_an_oversize_original_is_cut_to_fit_and_flagged() -> None:
    original = bytes(range(256)) * 200  # 51,200 bytes: its base64 alone is over the limit
    letter_output = dead_letter(source(9, original), "too_large", "too large", LIMIT)
    assert fits(letter_output, LIMIT)
    letter = orjson.loads(letter_output.value)
    kept = events.original_bytes(letter)
    assert letter["original_truncated"] is True and letter["original_size"] == len(original)
    assert original.startswith(kept) and len(kept) > LIMIT // 2  # most of the room went to the original
    assert events.schema_errors("deadletter", letter) == []


async def test_a_repeat_within_the_window_is_acked_without_sending() -> None:
    producer = FakeProducer()
    d = delivery(producer, dedup=DedupWindow(60))
    await run(d, [(source(1), outputs(1))])
    outcome, acks = await run(d, [(source(2), outputs(1)), (source(3), outputs(1, text="changed"))])
    assert outcome.repeats == 1 and acks.acked == [2, 3]
    assert producer.topics() == ["t.enriched", "t.quotes"] * 2  # the first and the changed one


async def test_both_copies_in_one_batch_send_once() -> None:
    producer = FakeProducer()
    d = delivery(producer, dedup=DedupWindow(60))
    outcome, acks = await run(d, [(source(1), outputs(1)), (source(2), outputs(1))])
    assert outcome.repeats == 1 and acks.acked == [1, 2]
    assert producer.topics() == ["t.enriched", "t.quotes"]


async def test_a_failed_send_is_not_recorded_as_seen() -> None:
    producer = FakeProducer()
    producer.fail("t.enriched", NotLeaderForPartitionError(), times=100)
    d = delivery(producer, dedup=DedupWindow(60), policy=RetryPolicy(attempts=2))
    with pytest.raises(DeliveryError):
        await run(d, [(source(1), outputs(1))])
    producer.failures.clear()
    outcome, acks = await run(d, [(source(1), outputs(1))])  # read again after the restart
    assert outcome.repeats == 0 and acks.acked == [1]
    assert producer.topics().count("t.enriched") == 1


async def test_a_retry_of_the_same_batch_does_not_skip_it_as_a_repeat() -> None:
    producer = FakeProducer()
    producer.fail("t.quotes", NotLeaderForPartitionError())
    d = delivery(producer, dedup=DedupWindow(60))
    outcome, _ = await run(d, [(source(1), outputs(1))])
    assert outcome.repeats == 0 and outcome.sent["quotes"] == 1


async def test_under_a_transaction_any_failure_aborts() -> None:
    producer = FakeProducer()
    producer.fail("t.quotes", NotLeaderForPartitionError())
    d = delivery(producer, transactional_id=lambda s: f"app-0-{s.partition}")
    with pytest.raises(DeliveryError, match="transaction"):
        await run(d, [(source(1), outputs(1))])


async def test_the_gate_is_held_from_first_send_to_last_ack() -> None:
    producer = FakeProducer()
    d = delivery(producer)
    held: list[bool] = []

    async def ack(handle: object) -> None:
        held.append(d.gate.locked())

    await d.deliver_and_ack([(source(1), source(1), outputs(1))], ack)
    assert held == [True] and not d.gate.locked()


class SilentProducer(FakeProducer):
    """A broker that never acknowledges: every send's future stays pending."""

    async def send(self, topic: str, key: bytes | None, value: bytes, transactional_id: str | None) -> Awaitable[None]:
        self.sent.append((topic, key, value))
        return asyncio.get_running_loop().create_future()


async def test_a_send_the_broker_never_acknowledges_times_out_and_is_retried_within_bounds() -> None:
    producer = SilentProducer()
    d = delivery(producer, send_timeout=0.2, policy=RetryPolicy(attempts=2))
    with pytest.raises(DeliveryError, match="2 tries"):
        await run(d, [(source(1), outputs(1))])
    assert producer.topics() == ["t.enriched", "t.quotes"] * 2  # sent twice, only then given up


class BlockedProducer(FakeProducer):
    """A producer that waits forever for a topic's metadata (a broker away) before it queues anything."""

    async def send(self, topic: str, key: bytes | None, value: bytes, transactional_id: str | None) -> Awaitable[None]:
        self.sent.append((topic, key, value))
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_send_that_never_queues_is_bounded_too() -> None:
    producer = BlockedProducer()
    d = delivery(producer, send_timeout=0.2, policy=RetryPolicy(attempts=2))
    with pytest.raises(DeliveryError, match="2 tries"):
        await asyncio.wait_for(run(d, [(source(1), outputs(1))]), timeout=10)


async def test_a_stop_cuts_a_wait_for_acknowledgements_short() -> None:
    producer = SilentProducer()
    d = delivery(producer, send_timeout=3600, stop_grace=0.2)
    running = asyncio.ensure_future(run(d, [(source(1), outputs(1))]))
    while not producer.sent:
        await asyncio.sleep(0.01)
    d.stop()  # SIGTERM while the broker is silent: the batch is given up, unacknowledged, within the grace
    with pytest.raises(DeliveryError):
        await asyncio.wait_for(running, timeout=10)


def test_dedup_window_expires_and_stays_bounded() -> None:
    now = [0.0]
    window = DedupWindow(10.0, max_entries=3, clock=lambda: now[0])
    window.record("a", "h1")
    assert window.contains("a", "h1")
    assert not window.contains("a", "h2")  # same id, other content: not a re-publication
    now[0] = 10.0
    assert not window.contains("a", "h1")  # the window has passed
    for name in "bcde":
        window.record(name, "h")
    assert len(window) == 3
