"""End to end on the real broker: articles in, enriched events out, bad input dead-lettered."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from streams import events
from streams.settings import Settings
from tests.support import SEED_PATH, WorkerProcess, publish, read_until, run_cli

pytestmark = pytest.mark.kafka

HOSTILE = [
    b"not json",
    b'["a", "list"]',
    b'{"title": "no text"}',
    b'{"text": ""}',
    b'{"text": 12}',
    b"\xff\xfe invalid utf-8",
    b'{"text": "lone \\udc00 surrogate"}',
    b'{"text": "nul \\u0000 char"}',
    b'{"text": "deep", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"text": "wrong optional type", "title": ["x"]}',
]
AFTER = {"id": "after-the-bad-ones", "text": 'The mayor said on Monday that "the bridge will reopen in May".'}


def seed_message() -> tuple[bytes, bytes]:
    article = events.Article(
        article_id=SEED_PATH.stem, text=SEED_PATH.read_text(), title="Putin and Aliyev slam Macron"
    )
    return article.article_id.encode(), events.dumps(events.article_event(article))


async def test_worker_enriches_fans_out_and_dead_letters(kafka_settings: Settings, tmp_path: Path) -> None:
    messages = [seed_message(), *[(None, raw) for raw in HOSTILE], (AFTER["id"].encode(), orjson.dumps(AFTER))]
    with WorkerProcess(kafka_settings, tmp_path / "worker.log") as worker:
        await publish(kafka_settings, messages)
        found = await read_until(
            kafka_settings, {"enriched": 2, "deadletter": len(HOSTILE), "quotes": 1, "entities": 1, "sentences": 1}
        )
        assert worker.alive, worker.log()
    assert worker.process.returncode == 0, worker.log()

    enriched = {r.key: orjson.loads(r.value) for r in found["enriched"]}
    assert set(enriched) == {SEED_PATH.stem.encode(), AFTER["id"].encode()}
    assert len(found["enriched"]) == 2
    seed = enriched[SEED_PATH.stem.encode()]
    assert seed["title"] == "Putin and Aliyev slam Macron" and seed["text"] == SEED_PATH.read_text()

    # Every event validates against its schema, and its offsets point into the article's text.
    for topic in ("enriched", "quotes", "entities", "sentences", "deadletter"):
        event_type = {"quotes": "quote", "entities": "entity", "sentences": "sentence"}.get(topic, topic)
        for record in found[topic]:
            assert events.schema_errors(event_type, orjson.loads(record.value)) == [], record.value[:300]
    for quote in seed["quotes"]:
        assert " … ".join(seed["text"][f["start"] : f["end"]] for f in quote["fragments"]) == quote["text"]

    # Fan-out: one event per quote, entity and sentence of each article, keyed by the article id, and all
    # of an article's events in one partition (same key, same partitioner, same partition count).
    for topic, part in (("quotes", "quotes"), ("entities", "entities"), ("sentences", "sentences")):
        records = [r for r in found[topic] if r.key == SEED_PATH.stem.encode()]
        assert len(records) == len(seed[part])
        assert {r.partition for r in records} == {r.partition for r in found["enriched"] if r.key == records[0].key}
    assert any("Putin" in s["name"] for q in seed["quotes"] for s in q["speakers"])

    # Dead letters: reason, original bytes, where they came from.
    letters = [orjson.loads(r.value) for r in found["deadletter"]]
    assert sorted(events.original_bytes(d) for d in letters) == sorted(HOSTILE)
    assert all(d["reason"] and d["source"]["topic"] == kafka_settings.topic_articles for d in letters)
    assert {d["error"] for d in letters} >= {"not_json", "not_object", "invalid_article", "not_utf8", "too_deep"}

    # The valid article right after the hostile ones was enriched, with its quote.
    after = enriched[AFTER["id"].encode()]
    assert [q["text"] for q in after["quotes"]] and "bridge will reopen" in after["quotes"][0]["text"]


async def test_cli_publish_and_subscribe(kafka_settings: Settings, tmp_path: Path) -> None:
    lines = tmp_path / "articles.jsonl"
    lines.write_bytes(orjson.dumps(AFTER) + b"\n" + b"this line is not json\n")
    with WorkerProcess(kafka_settings, tmp_path / "worker.log"):
        published = run_cli(kafka_settings, "publish", str(SEED_PATH), str(lines))
        assert published.returncode == 0, published.stderr.decode()
        assert b"published 3 messages" in published.stderr
        putin = run_cli(
            kafka_settings,
            "subscribe",
            "quotes",
            "--from-beginning",
            "--speaker",
            "putin",
            "--timeout",
            "60",
            "--limit",
            "3",
        )
        dead = run_cli(kafka_settings, "subscribe", "deadletter", "--from-beginning", "--timeout", "10")
    assert putin.returncode == 0, putin.stderr.decode()
    quotes = [orjson.loads(line) for line in putin.stdout.splitlines()]
    assert len(quotes) == 3
    assert all(any("putin" in s["name"].lower() for s in q["speakers"]) for q in quotes)
    letters = [orjson.loads(line) for line in dead.stdout.splitlines()]
    assert [base64.b64decode(d["original_base64"]) for d in letters] == [b"this line is not json"]


async def test_ensure_topics_creates_the_workers_own_topics_before_it_joins(kafka_settings: Settings) -> None:
    """The worker creates Faust's internal topics itself, and waits until the broker serves every topic:
    a group leader that does not see a topic yet leaves it unassigned until its next metadata refresh."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    from streams.clients import ensure_topics
    from streams.worker.app import build_app, internal_topics

    internal = internal_topics(build_app(kafka_settings))
    names = {topic.name for topic in internal}
    prefix = kafka_settings.app_id
    assert {f"{prefix}-speaker-quotes", f"{prefix}-entity-mentions", f"{prefix}-__assignor-__leader"} <= names
    assert f"{prefix}-speakers-changelog" in names

    created = await ensure_topics(kafka_settings, internal)
    assert names <= set(created)
    assert kafka_settings.topic("articles") in created
    assert await ensure_topics(kafka_settings, internal) == []  # a second worker creates nothing

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        served = {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics()}
        assert served[f"{prefix}-speaker-quotes"] == kafka_settings.topic_partitions
        assert served[f"{prefix}-__assignor-__leader"] == 1
        changelog = f"{prefix}-speakers-changelog"
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, changelog)])
        configs = {name: value for name, value, *_ in response.resources[0][4]}
        assert configs["cleanup.policy"] == "compact"
        assert configs["max.message.bytes"] == str(kafka_settings.max_message_bytes)
    finally:
        await admin.close()
