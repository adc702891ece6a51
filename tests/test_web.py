"""The worker's HTTP API on a real worker after real articles went through Kafka, checked against openapi.yaml."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from spacy.language import Language

from streams.settings import PROJECT_ROOT, Settings
from streams.worker import state as st
from tests.support import (
    SEED_PATH,
    SEED_TITLE,
    WorkerProcess,
    article_messages,
    base_url,
    enrich_locally,
    expected_speakers,
    get,
    publish,
    wait_caught_up,
    wait_for,
)

OPENAPI_PATH = PROJECT_ROOT / "openapi.yaml"
# --- the OpenAPI description ---------------------------------------------------------------------------


@cache
def openapi() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI_PATH.read_text())


@cache
def openapi_registry() -> Registry:
    # OpenAPI 3.1 schemas are JSON Schema 2020-12: the whole document is one resource to resolve $refs in.
    return Registry().with_resource("urn:openapi", DRAFT202012.create_resource(openapi()))


def response_schema(path: str, status: int, media: str = "application/json") -> Draft202012Validator:
    pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in ("paths", path, "get", "responses"))
    response = openapi()["paths"][path]["get"]["responses"][str(status)]
    pointer = response["$ref"].lstrip("#/") if "$ref" in response else f"{pointer}/{status}"
    schema = {"$ref": f"urn:openapi#/{pointer}/content/{media.replace('/', '~1')}/schema"}
    return Draft202012Validator(schema, registry=openapi_registry())


def assert_documented(path: str, status: int, body: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in response_schema(path, status).iter_errors(body)]
    assert errors == [], f"{path} {status} does not match openapi.yaml: {errors[:5]}"


def test_openapi_file_is_consistent() -> None:
    spec = openapi()
    assert spec["openapi"].startswith("3.1")
    paths = set(spec["paths"])
    assert paths == {
        "/speakers",
        "/speakers/{entity_id}/quotes",
        "/entities/trending",
        "/articles/{article_id}",
        "/health",
        "/metrics",
        "/",
        "/static/{name}",
    }
    assert all(set(item) <= {"get", "parameters", "summary", "description"} for item in spec["paths"].values())
    # Every schema is valid JSON Schema 2020-12 (OpenAPI 3.1's dialect), and every $ref resolves.
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    text = OPENAPI_PATH.read_text()
    resolver = openapi_registry().resolver()
    for ref in set(re.findall(r'\$ref: "(#/[^"]+)"', text)):
        resolver.lookup(f"urn:openapi{ref}")
    # The examples match their own schemas.
    for path, status in (("/speakers", 200), ("/entities/trending", 200)):
        example = spec["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["example"]
        assert_documented(path, status, example)


def test_query_parameters() -> None:
    from streams.worker.web import SCOPES, BadParameter, choice_param, int_param

    assert int_param({}, "top", 10) == 10
    assert int_param({"top": "3"}, "top", 10) == 3
    for bad in ("0", "101", "x", "-1"):
        with pytest.raises(BadParameter):
            int_param({"top": bad}, "top", 10)
    assert choice_param({"window": "1d"}, "window", st.WINDOWS, "1h") == "1d"
    assert choice_param({}, "scope", SCOPES, "all") == "all"
    with pytest.raises(BadParameter):
        choice_param({"scope": "bogus"}, "scope", SCOPES, "all")
    with pytest.raises(BadParameter):
        choice_param({"window": "1w"}, "window", st.WINDOWS, "1h")


# --- on a real worker ----------------------------------------------------------------------------------


@pytest.mark.kafka
async def test_api_answers_from_the_stream_state(kafka_settings: Settings, tmp_path: Path, nlp: Language) -> None:
    enriched = enrich_locally(nlp)
    speakers = expected_speakers(enriched)
    names = {s["name"]: key for key, s in speakers.items()}
    assert {"Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev", "Angela Merkel"} <= set(names)
    base = base_url(kafka_settings)

    with WorkerProcess(kafka_settings, tmp_path / "worker.log") as worker:
        await publish(kafka_settings, article_messages())
        quoted = sum(s["quote_count"] for s in speakers.values())
        _, top = await wait_for(
            lambda: get(base, "/speakers", top=100),
            lambda answer: answer[0] == 200 and sum(s["quote_count"] for s in answer[1]["speakers"]) >= quoted,
            worker,
        )
        # The trending windows are fed by another internal topic: wait for both articles there too.
        macron = names["Emmanuel Macron"]
        await wait_for(
            lambda: get(base, "/entities/trending", window="1d", top=1),
            lambda answer: answer[1]["entities"] and answer[1]["entities"][0]["articles"] == 2,
            worker,
        )

        # GET /speakers: every speaker, ranked by quote count, with the counts the pure functions give.
        assert_documented("/speakers", 200, top)
        assert top["complete"] is True
        assert [(s["entity_id"], s["quote_count"]) for s in top["speakers"]] == [
            (s["entity_id"], s["quote_count"]) for s in st.top_speakers(speakers.values(), 100)
        ]
        assert top["speakers"][0]["name"] == "Vladimir Putin"
        _, top2 = await get(base, "/speakers", top=2)
        assert top2["speakers"] == top["speakers"][:2]

        # GET /speakers/{id}/quotes: what Putin said, newest first, and about whom.
        putin = names["Vladimir Putin"]
        status, quotes = await get(base, f"/speakers/{putin}/quotes")
        assert status == 200, quotes
        assert_documented("/speakers/{entity_id}/quotes", 200, quotes)
        want = st.speaker_view(speakers[putin])
        assert quotes["quote_count"] == want["quote_count"] >= 5
        assert [q["quote_id"] for q in quotes["quotes"]] == [q["quote_id"] for q in want["quotes"]]
        assert all(q["article_id"] == SEED_PATH.stem and q["seen_at"] for q in quotes["quotes"])
        assert quotes["about"] == want["about"]
        assert "Emmanuel Macron" in [a["name"] for a in quotes["about"]]
        _, limited = await get(base, f"/speakers/{putin}/quotes", limit=2)
        assert limited["quotes"] == quotes["quotes"][:2]
        _, merkel = await get(base, f"/speakers/{names['Angela Merkel']}/quotes")
        assert [q["text"] for q in merkel["quotes"]] == [q["text"] for q in speakers[names["Angela Merkel"]]["quotes"]]
        assert {"Germany", "Ukraine"} <= {a["name"] for a in merkel["about"]}

        # GET /entities/trending: both windows hold both articles; Macron is in both, so he leads.
        mentions: dict[str, int] = {}
        for article in enriched:
            for entity in article["entities"]:
                mentions[entity["entity_id"]] = mentions.get(entity["entity_id"], 0) + len(entity["mentions"])
        for window in ("1h", "1d"):
            status, trending = await get(base, "/entities/trending", window=window, top=5)
            assert status == 200, trending
            assert_documented("/entities/trending", 200, trending)
            assert trending["window"] == window and trending["complete"] is True
            leader = trending["entities"][0]
            assert (leader["entity_id"], leader["mentions"], leader["articles"]) == (macron, mentions[macron], 2)
            assert [e["mentions"] for e in trending["entities"]] == sorted(mentions.values(), reverse=True)[:5]

        # GET /articles/{id}: the summary of the enriched article.
        status, article = await get(base, f"/articles/{SEED_PATH.stem}")
        assert status == 200, article
        assert_documented("/articles/{article_id}", 200, article)
        assert {**article, "seen_at": None} == st.article_summary(enriched[0])
        assert article["title"] == SEED_TITLE and article["seen_at"]

        # Errors: unknown keys, bad parameters; and the API is read-only.
        for path, params, status_code in (
            ("/articles/no-such-article", {}, 404),
            ("/speakers/ent_0000000000000000/quotes", {}, 404),
            ("/speakers", {"top": "0"}, 400),
            ("/entities/trending", {"window": "1w"}, 400),
            ("/speakers", {"scope": "bogus"}, 400),
            ("/entities/trending", {"scope": ""}, 400),
            ("/table", {}, 404),  # Faust's own endpoints are off: raw table values, every worker's URL
            ("/router", {}, 404),
            ("/static/../settings.py", {}, 404),
        ):
            status, body = await get(base, path, **params)
            assert status == status_code, (path, body)
            if path in openapi()["paths"]:
                assert_documented(path, status, body)
        async with aiohttp.ClientSession() as session:
            for method in ("POST", "PUT", "DELETE"):
                async with session.request(method, f"{base}/speakers") as response:
                    assert response.status == 405, method

        # /health and /metrics, with the consumer lag of every assigned input partition (caught up: 0).
        status, health = await get(base, "/health")
        assert status == 200 and health["status"] == "ok"
        assert_documented("/health", 200, health)
        lags = await wait_caught_up(kafka_settings, worker, timeout=30)
        assert not any("changelog" in topic for topic, _ in lags)
        # Caught up, so recovered and consuming: ready too.
        assert (await get(base, "/health"))[1]["ready"] is True
        _, metrics_text = await get(base, "/metrics")
        assert "streams_events_in_total" in metrics_text

        # The page and its files.
        status, page = await get(base, "/")
        assert status == 200 and '<script src="/static/app.js">' in page
        for name in ("app.js", "style.css"):
            status, body = await get(base, f"/static/{name}")
            assert status == 200 and len(body) > 100
    assert worker.process is not None and worker.process.returncode == 0, worker.log()[-3000:]
