"""Stream state: what the tables keep (pure functions, on the real seed article), and that it survives restarts."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faust
import orjson
import pytest
from aiokafka.errors import IllegalStateError
from faust.types import TP
from spacy.language import Language

from streams import events, people
from streams.enrich import Enricher, person_name_outputs
from streams.settings import Settings
from streams.worker import state as st
from streams.worker.metrics import CONSUMER_LAG, consumer_lag, partition_lag
from tests.support import SEED_PATH, WorkerProcess, publish

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
        inside = st.entities_in_span(seed, quote["fragments"])
        for entity in seed["entities"]:
            expected = [
                m
                for m in entity["mentions"]
                if any(f["start"] <= m["start"] and m["end"] <= f["end"] for f in quote["fragments"])
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


def at(text: str) -> float:
    """Seconds since the epoch of an ISO-8601 UTC time."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_trending_ranks_window_counts(seed: dict[str, Any]) -> None:
    now = at("2025-01-01T12:07:00")
    states: dict[str, dict] = {}
    for key, record in st.entity_mention_records(seed):
        states[key] = st.add_mention(states.get(key), record, now - 60, now=now, partition=0)
    rows = st.trending(states.items(), st.WINDOWS["1h"], now, 3)
    expected = sorted(seed["entities"], key=lambda e: (-len(e["mentions"]), e["name"]))[:3]
    assert [(r["name"], r["mentions"]) for r in rows] == [(e["name"], len(e["mentions"])) for e in expected]
    assert rows[0]["name"] == MACRON and rows[0]["articles"] == 1  # the most mentioned in the seed article
    assert rows[0]["label"] == "PERSON" and rows[0]["entity_id"] == by_name(seed, MACRON)
    # The same article again, in the same bucket: twice the mentions, two articles, still one bucket.
    for key, record in st.entity_mention_records(seed):
        states[key] = st.add_mention(states[key], record, now, now=now, partition=0)
    twice = st.trending(states.items(), st.WINDOWS["1d"], now, 1)
    assert twice[0]["mentions"] == 2 * rows[0]["mentions"] and twice[0]["articles"] == 2
    assert states[twice[0]["entity_id"]]["buckets"] == [[at("2025-01-01T12:00:00"), 2 * rows[0]["mentions"], 2]]
    # An hour and a bit later nothing is in the last hour any more; all of it is in the last day.
    later = now + 3600 + 8 * 60
    assert st.trending(states.items(), st.WINDOWS["1h"], later, 3) == []
    assert st.trending(states.items(), st.WINDOWS["1d"], later, 1) == twice
    # The value is JSON all the way (it goes to the changelog and comes back as JSON).
    assert all(orjson.loads(orjson.dumps(state)) == state for state in states.values())


def test_mentions_are_counted_in_15_minute_buckets_by_message_time(seed: dict[str, Any]) -> None:
    macron = dict(st.entity_mention_records(seed))[by_name(seed, MACRON)]
    now = at("2025-01-01T13:00:00")
    state = None
    for time in ("12:00:00", "12:14:59", "12:15:00", "12:29:59.9", "11:59:59"):
        state = st.add_mention(state, macron, at(f"2025-01-01T{time}"), now=now, partition=1)
    assert state is not None
    n = macron["mentions"]
    assert state == {
        "name": MACRON,
        "label": "PERSON",
        "partition": 1,
        "buckets": [  # sorted by start; two articles in each of the 12:00 and 12:15 buckets
            [at("2025-01-01T11:45:00"), n, 1],
            [at("2025-01-01T12:00:00"), 2 * n, 2],
            [at("2025-01-01T12:15:00"), 2 * n, 2],
        ],
    }
    assert st.bucket_start(at("2025-01-01T12:14:59.999")) == at("2025-01-01T12:00:00")


def test_a_bucket_counts_when_it_overlaps_the_window(seed: dict[str, Any]) -> None:
    macron = dict(st.entity_mention_records(seed))[by_name(seed, MACRON)]
    n = macron["mentions"]
    state = None
    for time in ("2024-12-31T12:00:00", "2025-01-01T11:50:00", "2025-01-01T12:01:00"):
        state = st.add_mention(state, macron, at(time), now=at("2025-01-01T12:05:00"), partition=0)
    assert state is not None
    hour, day = st.WINDOWS["1h"], st.WINDOWS["1d"]
    # At 13:05 the last hour starts at 12:05: the 12:00 bucket (to 12:15) overlaps it, 11:45 (to 12:00) not.
    assert st.window_counts(state, hour, at("2025-01-01T13:05:00")) == {"mentions": n, "articles": 1}
    assert st.window_counts(state, hour, at("2025-01-01T12:59:59")) == {"mentions": 2 * n, "articles": 2}
    # The last day at 12:05 reaches back to yesterday 12:05, inside yesterday's 12:00 bucket: all three count.
    assert st.window_counts(state, day, at("2025-01-01T12:05:00")) == {"mentions": 3 * n, "articles": 3}
    assert st.window_counts(state, day, at("2025-01-01T12:15:00")) == {"mentions": 2 * n, "articles": 2}


def test_old_buckets_expire_and_the_latest_name_and_label_win(seed: dict[str, Any]) -> None:
    records = dict(st.entity_mention_records(seed))
    macron = records[by_name(seed, MACRON)]
    yesterday, today = at("2025-01-01T09:10:00"), at("2025-01-02T09:20:00")
    state = st.add_mention(None, macron, yesterday, now=yesterday, partition=0)
    renamed = {**macron, "name": "Macron", "label": "ORG", "mentions": 1}
    # A day and 10 minutes later yesterday's 09:00 bucket can no longer overlap the last day: dropped.
    state = st.add_mention(state, renamed, today, now=today, partition=0)
    assert state == {
        "name": "Macron",
        "label": "ORG",
        "partition": 0,
        "buckets": [[at("2025-01-02T09:15:00"), 1, 1]],
    }
    # At 09:14 it still overlapped the day (it ends at 09:15), and is kept.
    early = at("2025-01-02T09:14:00")
    kept = st.add_mention(
        st.add_mention(None, macron, yesterday, now=yesterday, partition=0), renamed, early, now=early, partition=0
    )
    assert kept is not None and [b[0] for b in kept["buckets"]] == [
        at("2025-01-01T09:00:00"),
        at("2025-01-02T09:00:00"),
    ]
    # A message older than a day adds nothing that can count: nothing to keep.
    assert st.add_mention(None, macron, yesterday, now=today, partition=0) is None


def test_stale_entities_are_those_of_the_partition_without_a_bucket_in_the_last_day(seed: dict[str, Any]) -> None:
    records = st.entity_mention_records(seed)
    then = at("2025-01-01T09:10:00")
    states = {
        key: st.add_mention(None, record, then, now=then, partition=i % 2) for i, (key, record) in enumerate(records)
    }
    assert st.stale_entities(states.items(), 0, then + 24 * 3600) == []  # the 09:00 bucket still overlaps
    after = then + 24 * 3600 + 5 * 60
    assert st.stale_entities(states.items(), 0, after) == [key for i, (key, _) in enumerate(records) if i % 2 == 0]
    assert st.stale_entities(states.items(), 1, after) == [key for i, (key, _) in enumerate(records) if i % 2 == 1]
    assert st.trending(states.items(), st.WINDOWS["1d"], after, 10) == []


def test_article_summary_keeps_what_the_api_shows(seed: dict[str, Any]) -> None:
    summary = st.article_summary(seed, "2024-01-01T00:00:00+00:00")
    assert summary["article_id"] == SEED_PATH.stem and summary["title"] == "Putin and Aliyev slam Macron"
    assert "text" not in summary and summary["length"] == len(seed["text"])
    assert [q["quote_id"] for q in summary["quotes"]] == [q["quote_id"] for q in seed["quotes"]]
    assert {e["name"] for e in summary["entities"]} >= {PUTIN, MACRON, ALIYEV}
    assert any(a["name"] == MACRON for q in summary["quotes"] for a in q["about"])


def test_partition_lag() -> None:
    assert partition_lag(10, 7, 9) == 3  # committed wins: uncommitted work is lag
    assert partition_lag(10, None, 4) == 6  # before the first commit: what is not read yet
    assert partition_lag(10, None, None) == 10
    assert partition_lag(None, 3, 3) is None
    assert partition_lag(5, 7, 7) == 0


async def test_the_lag_timer_survives_a_partition_revoked_mid_tick() -> None:
    """A second worker joining revoked a partition between the timer's reading of the assignment and its
    position request; aiokafka's IllegalStateError then crashed the worker (a Faust timer's exception
    stops the app). The tick keeps the last figures instead, and the next one measures again."""
    app = faust.App("lag-timer", broker="kafka://127.0.0.1:1", store="memory://")
    consumer = app.consumer
    tp = TP("lag-timer.articles", 0)
    revoked = False

    async def highwaters(*tps: TP) -> dict[TP, int]:  # the broker's answer
        return dict.fromkeys(tps, 10)

    async def position(asked: TP) -> int:  # what aiokafka does for a partition no longer assigned
        if revoked:
            raise IllegalStateError(f"Partition {asked} is not assigned")
        return 4

    consumer.assignment = lambda: {tp}
    consumer.highwaters = highwaters
    consumer.position = position
    tick = consumer_lag(app)

    def shown() -> float:
        return CONSUMER_LAG.labels(tp.topic, "0")._value.get()

    await tick()
    assert shown() == 6
    revoked = True
    await tick()  # must not raise
    assert shown() == 6
    revoked = False
    consumer._committed_offset[tp] = 9
    app.rebalancing = True
    await tick()  # mid-rebalance: not measured
    assert shown() == 6
    app.rebalancing = False
    await tick()
    assert shown() == 1


def test_the_app_declares_its_tables_with_changelogs_and_agents() -> None:
    from streams.worker.app import build_app

    app = build_app(Settings(app_id="state-decl"))
    names = set(app.tables)
    assert names == {"articles", "speakers", "entity-trends", "people"}
    assert all(app.tables[n].changelog_topic.get_topic_name() == f"state-decl-{n}-changelog" for n in names)
    assert {"index-articles", "count-speaker-quotes", "count-entity-mentions", "count-person-names"} <= set(app.agents)
    assert isinstance(app.tables["people"], faust.GlobalTable)  # every worker's parser needs all of it
    # Every table gets the store's (RocksDB memory) options.
    assert all(app.tables[n].options == Settings().table_options() for n in names)
    # Standby copies apply other workers' changelog records in small batches (Faust holds 1,000 per table).
    bounded = build_app(Settings(app_id="state-standby", table_standby_buffer_size=7))
    # (The global table is read whole by every worker: Faust gives it a buffer of its own size.)
    assert {t.standby_buffer_size for t in bounded.tables.values() if not isinstance(t, faust.GlobalTable)} == {7}


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
    from tests.support import (
        api_snapshot,
        article_messages,
        base_url,
        enrich_locally,
        expected_speakers,
        get,
        wait_caught_up,
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
        # Once it has read and committed all it will read, the counts must be what they were: had it read
        # the inputs again, they would have grown.
        await wait_caught_up(kafka_settings, second)
        again = await api_snapshot(base, sorted(speakers), article_ids)
    assert ("Done reading from changelog topics" in second.log()) == rebuilt
    assert before["speakers"]["speakers"] and before[article_ids[0]]["quotes"]
    assert after == before
    assert again == before


async def test_the_internal_agents_skip_a_malformed_record_and_go_on(caplog: pytest.LogCaptureFixture) -> None:
    """Our own agents wrote these topics, but a malformed record (a bug, a hand-written message) must not
    crash the agent: it is logged and skipped, and the next record counts."""
    from streams.worker.app import build_app

    app = build_app(Settings(app_id="state-malformed"))
    record = {
        "speaker": {"entity_id": "ent_1", "name": "Ana Lopez", "title": "Mayor"},
        "quote": {"quote_id": "q1", "text": "The bridge reopens in May.", "kind": "direct", "article_id": "a1"},
        "about": [],
    }
    async with app.agents["count-speaker-quotes"].test_context() as agent:
        await agent.put(key="ent_1", value={"not": "a speaker record"})
        await agent.put(key="ent_1", value={"records": [["ent_1"]]})  # a pair cut short
        await agent.put(key="ent_1", value={"records": [["ent_1", record]]})
        # A record as workers sent them before groups, one a message, still counts.
        older = {**record, "quote": {**record["quote"], "quote_id": "q2"}}
        await agent.put(key="ent_1", value=older)
    assert app.stream_state.speakers["ent_1"]["quote_count"] == 2
    assert "malformed record on state-malformed-speaker-quotes" in caplog.text
    async with app.agents["index-articles"].test_context() as agent:
        await agent.put(key=b"a1", value=b"{not json")
        await agent.put(key=b"a2", value=b'{"article_id": "a2"}')  # JSON, but no text, quotes, entities
    assert list(app.stream_state.articles.keys()) == []
    assert caplog.text.count("malformed record") == 4


def test_keyed_records_are_grouped_by_the_partition_that_owns_each_key() -> None:
    """One message per partition instead of one per key, each record on the partition a message keyed by
    its own key would have gone to (JSON key, Kafka's default partitioner: where Faust's router looks)."""
    from aiokafka.partitioner import murmur2

    keys = [f"ent_{i:02d}" for i in range(40)]
    records = [(key, {"mentions": i}) for i, key in enumerate(keys)]
    groups = st.by_partition(records, orjson.dumps, 4)
    assert set(groups) == {0, 1, 2, 3}  # 40 keys reach every partition
    for partition, group in groups.items():
        assert all((murmur2(orjson.dumps(key)) & 0x7FFFFFFF) % 4 == partition for key, _ in group)
    # Nothing lost or repeated, and each partition keeps the article's order.
    assert sorted(pair for group in groups.values() for pair in group) == sorted(records)
    assert all(group == [r for r in records if r in group] for group in groups.values())


def test_the_tables_keep_a_long_quote_cut_to_the_api_bound(seed: dict[str, Any]) -> None:
    from streams.events import QUOTE_TEXT_MAX

    long_text = "word " * 500
    article = {**seed, "quotes": [{**seed["quotes"][0], "text": long_text}]}
    cut = long_text[: QUOTE_TEXT_MAX - 1] + "…"
    assert [q["text"] for q in st.article_summary(article)["quotes"]] == [cut]
    assert {record["quote"]["text"] for _, record in st.speaker_quote_records(article)} == {cut}


def test_the_people_table_counts_full_names_by_surname_and_gives_owners_of_a_batch() -> None:
    article = {
        "entities": [
            {"name": "Donald Trump", "label": "PERSON"},
            {"name": "Melania Trump", "label": "PERSON"},
            {"name": "Trump", "label": "PERSON"},  # a bare surname teaches nothing
            {"name": "Ford Motor", "label": "ORG"},
        ]
    }
    # What the parser process sends to the person-names topic for it: keyed by surname, JSON as Faust keys it.
    assert [(o.topic, o.key, o.value) for o in person_name_outputs(people.lessons(article))] == [
        ("person-names", b'"Trump"', b'{"name":"Donald Trump"}'),
        ("person-names", b'"Trump"', b'{"name":"Melania Trump"}'),
    ]
    counts: dict[str, int] | None = None
    for name in ["Donald Trump"] * 8 + ["Melania Trump"]:
        counts = st.add_person_name(counts, {"name": name})
    assert counts == {"Donald Trump": 8, "Melania Trump": 1}
    known = {"Trump": counts, "Clinton": {"Hillary Clinton": 5, "Bill Clinton": 5}}
    raws = [b'{"text": "Trump said on Monday that Clinton would lose."}', b'{"text": "No one here."}']
    # Trump is dominated by one person; Clinton by nobody; words that are no surname are not looked up.
    assert st.owners_for(raws, known) == {"Trump": "Donald Trump"}


def test_a_speaker_shows_the_most_frequent_title_not_the_latest() -> None:
    def record(quote_id: str, title: str | None) -> dict[str, Any]:
        return {
            "speaker": {"entity_id": "ent_1", "name": "Hillary Clinton", "title": title},
            "quote": {"quote_id": quote_id, "text": "x", "kind": "direct", "article_id": quote_id},
            "about": [],
        }

    state = None
    for i, title in enumerate(["Secretary of State", "Secretary of State", None, "Democratic candidate"]):
        state = st.add_speaker_quote(state, record(f"q{i}", title)) or state
    assert state is not None and st.speaker_view(state)["title"] == "Secretary of State"


@pytest.mark.kafka
async def test_a_bare_surname_becomes_the_person_the_stream_knows(kafka_settings: Settings, tmp_path: Path) -> None:
    """The people table is stream state: an article that names someone by surname only, enriched after one
    that named them in full, carries the full name and its id."""
    from streams.nlp.entities import entity_id
    from tests.support import read_until

    full = {
        "id": "okafor-full",
        "text": "Senator Maria Okafor said on Tuesday that the budget was fair. Okafor spoke in Lagos.",
    }
    person = entity_id("Maria Okafor", "PERSON")
    with WorkerProcess(kafka_settings, tmp_path / "worker.log") as worker:
        await publish(kafka_settings, [(full["id"].encode(), orjson.dumps(full))])
        await read_until(kafka_settings, {"enriched": 1}, settle=0)
        # The knowledge travels through the person-names topic and the table: an article enriched before it
        # arrived keeps "Okafor"; ask again, each time with a new article, until one resolves.
        for attempt in range(1, 40):
            bare = {"id": f"okafor-bare-{attempt}", "text": "Mr. Okafor said on Wednesday that the budget would pass."}
            await publish(kafka_settings, [(bare["id"].encode(), orjson.dumps(bare))])
            found = await read_until(kafka_settings, {"enriched": attempt + 1}, settle=0)
            latest = next(orjson.loads(r.value) for r in found["enriched"] if r.key == bare["id"].encode())
            speakers = [(s["name"], s["entity_id"]) for q in latest["quotes"] for s in q["speakers"]]
            if speakers == [("Maria Okafor", person)]:
                break
            assert speakers == [("Okafor", entity_id("Okafor", "PERSON"))], speakers
            assert worker.alive, worker.log()[-3000:]
        else:
            raise AssertionError(f"the surname never resolved\n{worker.log()[-3000:]}")
        entities = {(e["name"], e["entity_id"]) for e in latest["entities"]}
        assert ("Maria Okafor", person) in entities
