"""Two workers share the tables: a keyed read (`/speakers/{id}/quotes`, `/articles/{id}`) sent to either
worker answers from the worker that owns the key, and the rankings merge both workers' shares."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from aiokafka.partitioner import murmur2
from spacy.language import Language

from streams import events
from streams.enrich import Enricher
from streams.settings import Settings
from tests.support import WorkerProcess, base_url, expected_speakers, free_port, get, publish, wait_for

pytestmark = pytest.mark.kafka

#: People no other test quotes, each the speaker of one short article.
PEOPLE = ["David Miller", "Mark Chen", "Priya Natarajan", "Olu Adeyemi", "Sofia Rossi", "Tom Becker", "Lena Novak"]


def articles() -> list[dict[str, str]]:
    return [
        {
            "id": f"routing-{i}",
            "title": f"Update {i}",
            "text": f'"We will reopen the bridge on Route {i} by spring," {name} said on Monday.',
        }
        for i, name in enumerate(PEOPLE)
    ]


def partition_of(key: str, partitions: int) -> int:
    """The partition Faust gives a table key (JSON-serialized, Kafka's default partitioner)."""
    return (murmur2(orjson.dumps(key)) & 0x7FFFFFFF) % partitions


async def test_keyed_reads_are_routed_to_the_owner(kafka_settings: Settings, tmp_path: Path, nlp: Language) -> None:
    enriched = list(Enricher(nlp, Settings()).enrich(events.article_from_mapping(a) for a in articles()))
    speakers = expected_speakers(enriched)
    assert sorted(s["name"] for s in speakers.values()) == sorted(PEOPLE)
    # The keys fall on both partitions: whichever worker owns one, the other must route to it.
    partitions = kafka_settings.topic_partitions
    assert {partition_of(key, partitions) for key in speakers} == set(range(partitions))

    # No standby copies: a worker that answered a key it does not own from its own table would say 404,
    # so only routing to the owner gives both answers.
    kafka_settings = kafka_settings.model_copy(update={"table_standby_replicas": 0})
    second = kafka_settings.model_copy(update={"worker_web_port": free_port(), "data_dir": tmp_path / "data-2"})
    bases = [base_url(kafka_settings), base_url(second)]
    owned = f"{kafka_settings.app_id}-speaker-quotes"

    def ready_with_speakers(answer: tuple[int, dict]) -> bool:
        return answer[1]["ready"] and any(tp.startswith(f"{owned}:") for tp in answer[1]["assigned"])

    # One worker up and ready, then the second: a scale-out, the case routing is for. Both own part of the
    # speakers table and consume before anything is published.
    with WorkerProcess(kafka_settings, tmp_path / "worker-1.log") as one:
        await wait_for(lambda: get(bases[0], "/health"), ready_with_speakers, one)
        with WorkerProcess(second, tmp_path / "worker-2.log") as two:
            # The second first: once it is ready, the rebalance its joining started is over for the first too.
            for base in reversed(bases):
                await wait_for(lambda base=base: get(base, "/health"), ready_with_speakers, (one, two))
            await publish(kafka_settings, [(a["id"].encode(), orjson.dumps(a)) for a in articles()])
            await wait_for(
                lambda: get(bases[0], "/speakers", top=100),
                lambda answer: answer[0] == 200 and len(answer[1]["speakers"]) == len(PEOPLE) and answer[1]["complete"],
                (one, two),
            )
            for key, speaker in speakers.items():
                answers = [await get(base, f"/speakers/{key}/quotes") for base in bases]
                assert [status for status, _ in answers] == [200, 200], (speaker["name"], answers)
                assert answers[0][1] == answers[1][1]
                assert answers[0][1]["name"] == speaker["name"] and answers[0][1]["quote_count"] == 1
            for article in articles():
                answers = [await get(base, f"/articles/{article['id']}") for base in bases]
                assert [status for status, _ in answers] == [200, 200], answers
                assert answers[0][1] == answers[1][1] and answers[0][1]["title"] == article["title"]
            # The rankings: each worker merges its share with its peer's.
            rankings = [(await get(base, "/speakers", top=100))[1] for base in bases]
            assert rankings[0] == rankings[1] and rankings[0]["complete"] is True
            assert sorted(s["name"] for s in rankings[0]["speakers"]) == sorted(PEOPLE)
