"""Stream state: what the tables keep (pure functions, on the real seed article), and that it survives restarts."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from spacy.language import Language

from streams import events
from streams import state as st
from streams.enrich import Enricher
from streams.settings import Settings
from tests.conftest import SEED_PATH
from tests.support import WorkerProcess, publish

PUTIN, MACRON, ALIYEV = "Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev"


@pytest.fixture(scope="module")
def seed(nlp: Language) -> dict[str, Any]:
    article = events.Article(
        article_id=SEED_PATH.stem, text=SEED_PATH.read_text(), title="Putin and Aliyev slam Macron"
    )
    return next(iter(Enricher(nlp, Settings()).enrich([article])))


def by_name(seed: dict[str, Any], name: str) -> str:
    return next(e["entity_id"] for e in seed["entities"] if e["name"] == name)


def test_entities_in_span_counts_only_mentions_inside_the_quote(seed: dict[str, Any]) -> None:
    text = seed["text"]
    for quote in seed["quotes"]:
        inside = st.entities_in_span(seed, quote["span"])
        for entity in seed["entities"]:
            expected = [
                m
                for m in entity["mentions"]
                if quote["span"]["start"] <= m["start"] and m["end"] <= quote["span"]["end"]
            ]
            assert inside.get(entity["entity_id"], 0) == len(expected)
            for mention in expected:  # the offsets really point into the quote's text
                assert text[mention["start"] : mention["end"]] in quote["text"]


def test_speaker_records_carry_the_entities_the_speaker_talks_about(seed: dict[str, Any]) -> None:
    records = st.speaker_quote_records(seed, "2024-01-01T00:00:00+00:00")
    speakers = {record["speaker"]["name"] for _, record in records}
    assert {PUTIN, MACRON, ALIYEV} <= speakers
    for key, record in records:
        assert key == record["speaker"]["entity_id"] and key.startswith("ent_")
        assert all(a["entity_id"] != key for a in record["about"])  # nobody "talks about" themselves
    # Putin's quotes talk about Macron ("... this with Macron") and Russia; Aliyev's about Macron and France.
    about = {}
    for _, record in records:
        about.setdefault(record["speaker"]["name"], set()).update(a["name"] for a in record["about"])
    assert {MACRON, "Russia"} <= about[PUTIN]
    assert {MACRON, "France"} <= about[ALIYEV]
    # One record per attributed speaker: a quote with two speakers gives two records.
    attributed = sum(len([s for s in q["speakers"] if s["entity_id"]]) for q in seed["quotes"])
    assert len(records) == attributed


def test_speaker_state_counts_keeps_the_latest_and_ignores_redeliveries(seed: dict[str, Any]) -> None:
    putin = by_name(seed, PUTIN)
    records = [r for key, r in st.speaker_quote_records(seed) if key == putin]
    state = None
    for record in records:
        state = st.add_speaker_quote(state, record, keep=3) or state
    assert state is not None
    assert state["quote_count"] == len(records) >= 5
    assert [q["quote_id"] for q in state["quotes"]] == [r["quote"]["quote_id"] for r in reversed(records)][:3]
    # The tail of the topic read again (a crash before the commit) changes nothing.
    assert st.add_speaker_quote(state, records[-1], keep=3) is None
    view = st.speaker_view(state)
    about = {a["name"]: a for a in view["about"]}
    macron = about[MACRON]  # whom Putin talks about ("... this with Macron", "Macron's accusations")
    assert macron["mentions"] == sum(a["mentions"] for r in records for a in r["about"] if a["name"] == MACRON) >= 2
    assert macron["quotes"] == sum(1 for r in records if any(a["name"] == MACRON for a in r["about"]))
    assert [a["mentions"] for a in view["about"]] == sorted((a["mentions"] for a in view["about"]), reverse=True)
    # The value is JSON all the way (it goes to the changelog and comes back as JSON).
    assert orjson.loads(orjson.dumps(state)) == state


def test_top_speakers_and_merging_the_parts_of_several_workers(seed: dict[str, Any]) -> None:
    states: dict[str, dict] = {}
    for key, record in st.speaker_quote_records(seed):
        states[key] = st.add_speaker_quote(states.get(key), record) or states[key]
    top = st.top_speakers(states.values(), 2)
    assert [s["name"] for s in top] == [PUTIN, MACRON]
    assert top[0]["quotes"][0]["text"] and len(top[0]["quotes"]) == 1
    # Two workers' shares (one with a stale standby copy of Putin) merge into one ranking.
    stale = {**top[0], "quote_count": 1}
    merged = st.merge_ranked([[top[0]], [stale, top[1]]], "entity_id", st.speaker_rank, 10)
    assert merged == top


def test_trending_ranks_window_counts(seed: dict[str, Any]) -> None:
    counts: dict[str, dict] = {}
    for key, record in st.entity_mention_records(seed):
        counts[key] = st.add_counts(counts.get(key), {"mentions": record["mentions"], "articles": 1})
    names = {key: {"name": r["name"], "label": r["label"]} for key, r in st.entity_mention_records(seed)}
    rows = st.trending(counts.items(), names, 3)
    expected = sorted(seed["entities"], key=lambda e: (-len(e["mentions"]), e["name"]))[:3]
    assert [(r["name"], r["mentions"]) for r in rows] == [(e["name"], len(e["mentions"])) for e in expected]
    assert rows[0]["name"] == MACRON and rows[0]["articles"] == 1  # the most mentioned in the seed article
    twice = st.trending([(k, st.add_counts(v, v)) for k, v in counts.items()], names, 1)
    assert twice[0]["mentions"] == 2 * rows[0]["mentions"] and twice[0]["articles"] == 2
    assert st.trending([("ent_0000000000000000", {})], names, 3) == []  # a key with nothing in this window


def test_article_summary_keeps_what_the_api_shows(seed: dict[str, Any]) -> None:
    summary = st.article_summary(seed, "2024-01-01T00:00:00+00:00")
    assert summary["article_id"] == SEED_PATH.stem and summary["title"] == "Putin and Aliyev slam Macron"
    assert "text" not in summary and summary["length"] == len(seed["text"])
    assert [q["quote_id"] for q in summary["quotes"]] == [q["quote_id"] for q in seed["quotes"]]
    assert {e["name"] for e in summary["entities"]} >= {PUTIN, MACRON, ALIYEV}
    assert any(a["name"] == MACRON for q in summary["quotes"] for a in q["about"])


def test_partition_lag() -> None:
    assert st.partition_lag(10, 7, 9) == 3  # committed wins: uncommitted work is lag
    assert st.partition_lag(10, None, 4) == 6  # before the first commit: what is not read yet
    assert st.partition_lag(10, None, None) == 10
    assert st.partition_lag(None, 3, 3) is None
    assert st.partition_lag(5, 7, 7) == 0


def test_the_app_declares_its_tables_with_changelogs_and_agents() -> None:
    from streams.app import build_app

    app = build_app(Settings(app_id="state-decl"))
    names = set(app.tables)
    assert {"articles", "speakers", "entity-names", "entity-mentions-1h", "entity-mentions-1d"} <= names
    assert all(app.tables[n].changelog_topic.get_topic_name() == f"state-decl-{n}-changelog" for n in names)
    assert {"index-articles", "count-speaker-quotes", "count-entity-mentions"} <= set(app.agents)
    # Every table, the windows' key index tables too, gets the store's (RocksDB memory) options.
    assert all(app.tables[n].options == Settings().table_options() for n in names)


@pytest.mark.kafka
@pytest.mark.parametrize(
    ("store_url", "keep_data"),
    [("memory://", False), ("rocksdb://", True), ("rocksdb://", False)],
    ids=["memory", "rocksdb", "rocksdb-lost-data-dir"],
)
async def test_tables_come_back_after_a_restart(
    kafka_settings: Settings, tmp_path: Path, nlp: Language, store_url: str, keep_data: bool
) -> None:
    """memory:// (or rocksdb:// on a new, empty DATA_DIR) rebuilds the tables from their changelogs;
    rocksdb:// on the same DATA_DIR reopens its files and reads only what the changelogs have beyond them."""
    from tests.test_web import (
        api_snapshot,
        article_messages,
        base_url,
        enrich_locally,
        expected_speakers,
        get,
        wait_for,
    )

    kafka_settings = kafka_settings.model_copy(update={"store_url": store_url})
    rebuilt = store_url == "memory://" or not keep_data  # recovery can only come from the changelogs
    speakers = expected_speakers(enrich_locally(nlp))
    quoted = sum(s["quote_count"] for s in speakers.values())
    article_ids = [key.decode() for key, _ in article_messages()]
    base = base_url(kafka_settings)

    async def settled(worker: WorkerProcess) -> dict[str, Any]:
        await wait_for(
            lambda: get(base, "/speakers", top=100),
            lambda a: a[0] == 200 and sum(s["quote_count"] for s in a[1]["speakers"]) >= quoted,
            worker,
        )
        await wait_for(
            lambda: get(base, "/entities/trending", window="1d", top=1),
            lambda a: a[0] == 200 and a[1]["entities"] and a[1]["entities"][0]["articles"] == 2,
            worker,
        )
        return await api_snapshot(base, sorted(speakers), article_ids)

    first = WorkerProcess(kafka_settings, tmp_path / "worker-1.log").start()
    try:
        await publish(kafka_settings, article_messages())
        before = await settled(first)
    finally:
        assert first.terminate() == 0, first.log()[-3000:]
    if store_url.startswith("rocksdb"):
        assert any(kafka_settings.data_dir.rglob("speakers-*.db"))
        if not keep_data:
            shutil.rmtree(kafka_settings.data_dir)

    with WorkerProcess(kafka_settings, tmp_path / "worker-2.log") as second:
        after = await settled(second)
        await asyncio.sleep(3)  # had it read the inputs again, the counts would grow now; they must not
        again = await api_snapshot(base, sorted(speakers), article_ids)
    assert ("Done reading from changelog topics" in second.log()) == rebuilt
    assert before["speakers"]["speakers"] and before[article_ids[0]]["quotes"]
    assert after == before
    assert again == before
