"""The shared enrichment path, without Kafka: validation, one parse, fan-out, serialization."""

from __future__ import annotations

import orjson
import pytest
from spacy.language import Language

from streams import events
from streams.enrich import Enricher, Output, Rejected, outputs_for
from streams.settings import Settings

ARTICLE = {
    "id": "a-1",
    "title": "Mayor speaks",
    "text": 'Mayor Jane Porter said on Monday that "the bridge will reopen in May". She added that it was safe.',
}


@pytest.fixture(scope="module")
def enricher(nlp: Language) -> Enricher:
    return Enricher(nlp, Settings(spacy_batch_size=4))


def test_process_keeps_order_and_rejects_bad_inputs(enricher: Enricher) -> None:
    raws = [b"nope", orjson.dumps(ARTICLE), b'{"text": ""}']
    results = enricher.enrich_raw(raws)
    assert len(results) == 3
    assert isinstance(results[0], Rejected) and results[0].error == "not_json"
    assert isinstance(results[2], Rejected) and results[2].error == "invalid_article"
    outputs = results[1]
    assert isinstance(outputs, list)
    assert all(isinstance(o, Output) for o in outputs)
    assert outputs[0].topic == "enriched"
    # The article's events are keyed by its id; what it teaches the people table, by surname.
    assert {o.key for o in outputs if o.topic != "person-names"} == {b"a-1"}
    assert [(o.key, o.value) for o in outputs if o.topic == "person-names"] == [
        (b'"Porter"', b'{"name":"Jane Porter"}')
    ]


def test_every_output_validates_and_fans_out_the_enriched_article(enricher: Enricher) -> None:
    (outputs,) = enricher.enrich_raw([orjson.dumps(ARTICLE)])
    assert isinstance(outputs, list)
    enriched = orjson.loads(outputs[0].value)
    schema_of = {"enriched": "enriched", "quotes": "quote", "entities": "entity", "sentences": "sentence"}
    assert {o.topic for o in outputs} == {*schema_of, "person-names"}
    for output in outputs:
        if output.topic in schema_of:  # person-names is the worker's internal topic: no public schema
            assert events.schema_errors(schema_of[output.topic], orjson.loads(output.value)) == []
    by_topic = {topic: [o for o in outputs if o.topic == topic] for topic in schema_of}
    assert len(by_topic["sentences"]) == len(enriched["sentences"]) == 2
    assert len(by_topic["quotes"]) == len(enriched["quotes"]) >= 1
    assert len(by_topic["entities"]) == len(enriched["entities"])
    sentence = orjson.loads(by_topic["sentences"][0].value)
    assert sentence["text"] == ARTICLE["text"][sentence["start"] : sentence["end"]]
    quote = orjson.loads(by_topic["quotes"][0].value)
    assert quote["article_id"] == "a-1" and "bridge will reopen" in quote["text"]
    assert [s["name"] for s in quote["speakers"]] == ["Jane Porter"]


def test_ids_are_deterministic_across_runs(enricher: Enricher) -> None:
    first = enricher.enrich_raw([orjson.dumps(ARTICLE)])[0]
    second = enricher.enrich_raw([orjson.dumps(ARTICLE)])[0]
    assert first == second  # identical bytes: a consumer can de-duplicate a re-delivery
    without_id = {k: v for k, v in ARTICLE.items() if k != "id"}
    third = enricher.enrich_raw([orjson.dumps(without_id)])[0]
    fourth = enricher.enrich_raw([orjson.dumps(without_id)])[0]
    assert isinstance(third, list) and isinstance(fourth, list)
    assert third[0].key == fourth[0].key and third[0].key.startswith(b"art_")


def test_one_article_that_breaks_the_pipeline_is_rejected_alone(nlp: Language) -> None:
    from streams import nlp as streams_nlp

    fragile = streams_nlp.load()

    @Language.component("explode_on_boom")
    def explode_on_boom(doc):  # type: ignore[no-untyped-def]
        if "BOOM" in doc.text:
            raise RuntimeError("component failure")
        return doc

    fragile.add_pipe("explode_on_boom", first=True)
    results = Enricher(fragile, Settings()).enrich_raw(
        [orjson.dumps({"id": "ok-1", "text": "Fine text."}), orjson.dumps({"id": "bad", "text": "BOOM here."})]
    )
    assert isinstance(results[0], list) and results[0][0].key == b"ok-1"
    assert isinstance(results[1], Rejected) and results[1].error == "processing_failed"
    assert "component failure" in results[1].reason


def test_outputs_for_keeps_article_order() -> None:
    enriched = {
        "article_id": "x",
        "text": "One. Two.",
        "sentences": [{"index": 0, "start": 0, "end": 4}, {"index": 1, "start": 5, "end": 9}],
        "quotes": [],
        "entities": [],
    }
    outputs = outputs_for(enriched)
    assert [o.topic for o in outputs] == ["enriched", "sentences", "sentences"]
    assert [orjson.loads(o.value)["text"] for o in outputs[1:]] == ["One.", "Two."]
