"""Hostile input: each bad message goes to the dead-letter topic with its reason and original bytes,
the worker stays up, and the valid article right after them is enriched.

tests/test_pipeline.py covers the basic cases (not JSON, a list, missing/empty/int text, invalid UTF-8,
escaped lone surrogate and NUL, nesting inside an object, a list title); these are the rest, plus big
inputs, and a property test of the whole enrichment on random text.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from spacy.language import Language

from streams import events
from streams.enrich import Enricher, Output
from streams.settings import Settings
from tests.support import WorkerProcess, publish, read_until

HOSTILE = [
    b'{"text": "   \\n\\t  "}',  # only whitespace
    b'{"text": null}',
    b'{"text": ["a", "list"]}',
    b'{"text": {"an": "object"}}',
    b'"just a string"',
    b"42",
    b"",  # an empty message
    b'{"text": "raw surrogate \xed\xb0\x80 bytes"}',  # CESU-8 surrogate: not UTF-8
    b'{"text": "truncated \xe2\x82"}',
    b'{"text": "raw nul \x00 byte"}',
    b"[" * 5000 + b"]" * 5000,  # 5,000-deep at the top level
    b'{"text": "deep object", "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}",
    b'{"id": 12, "text": "an int id"}',
    b'{"id": "", "text": "an empty id"}',
    b'{"text": "wrong url", "url": {"href": "x"}}',
    b'{"text": "wrong date", "published_at": 20240101}',
    b'{"text": "wrong source", "source": true}',
    b'{"text": "wrong language", "language": ["en"]}',
    b'{"text": "unterminated',
]
AFTER = {"id": "after-hostile", "text": 'The minister said on Tuesday that "the budget is balanced".'}


def big_article(seed_text: str, size: int = 750_000) -> tuple[bytes, bytes]:
    """A realistic ~750 KB article: the seed article's paragraphs, repeated."""
    copies = size // (len(orjson.dumps(seed_text + "\n\n")) - 2)  # as it is escaped in JSON
    raw = orjson.dumps({"id": "big-article", "title": "A long read", "text": "\n\n".join([seed_text] * copies)})
    assert size * 0.95 < len(raw) <= size
    return b"big-article", raw


UNBALANCED = {"id": "unbalanced", "text": 'He said "' * 2500 + "and then “" * 2500 + " it ended."}


@pytest.mark.kafka
async def test_hostile_inputs_are_dead_lettered_and_big_ones_enriched(
    kafka_settings: Settings, seed_text: str, tmp_path: Path
) -> None:
    big = big_article(seed_text)
    messages = [
        *[(None, raw) for raw in HOSTILE],
        (b"unbalanced", orjson.dumps(UNBALANCED)),
        big,
        (AFTER["id"].encode(), orjson.dumps(AFTER)),
    ]
    with WorkerProcess(kafka_settings, tmp_path / "worker.log") as worker:
        await publish(kafka_settings, messages)
        found = await read_until(kafka_settings, {"enriched": 3, "deadletter": len(HOSTILE)}, timeout=420)
        assert worker.alive, worker.log()
    # (Not asserted: no traceback in the log. The state tables' `articles` changelog topic keeps the broker's
    # 1 MiB default and refuses the big article's entry: a MessageSizeTooLargeError logged by Faust.)

    letters = [orjson.loads(r.value) for r in found["deadletter"]]
    assert sorted(events.original_bytes(d) for d in letters) == sorted(HOSTILE)
    for letter in letters:
        assert events.schema_errors("deadletter", letter) == []
        assert letter["reason"] and letter["source"]["topic"] == kafka_settings.topic_articles
    assert len(found["deadletter"]) == len(HOSTILE)

    enriched = {r.key: orjson.loads(r.value) for r in found["enriched"]}
    assert set(enriched) == {b"unbalanced", b"big-article", AFTER["id"].encode()}
    assert enriched[b"big-article"]["text"] == orjson.loads(big[1])["text"]
    assert enriched[b"big-article"]["entities"] and enriched[b"big-article"]["sentences"]
    assert enriched[b"unbalanced"]["text"] == UNBALANCED["text"]
    assert "budget is balanced" in enriched[AFTER["id"].encode()]["quotes"][0]["text"]


@pytest.mark.kafka
async def test_a_lower_size_limit_dead_letters_the_big_article(
    kafka_settings: Settings, seed_text: str, tmp_path: Path
) -> None:
    settings = kafka_settings.model_copy(update={"max_article_bytes": 500_000})
    big = big_article(seed_text)
    with WorkerProcess(settings, tmp_path / "worker.log") as worker:
        await publish(settings, [big, (AFTER["id"].encode(), orjson.dumps(AFTER))])
        found = await read_until(settings, {"enriched": 1, "deadletter": 1}, timeout=240)
        assert worker.alive, worker.log()
    (letter,) = [orjson.loads(r.value) for r in found["deadletter"]]
    assert letter["error"] == "too_large" and "500000" in letter["reason"]
    assert events.original_bytes(letter) == big[1]  # ~1 MB in base64: the topic's size limit allows it
    assert [r.key for r in found["enriched"]] == [AFTER["id"].encode()]


@pytest.mark.timeout(300)  # a hang guard, not a benchmark: this took tens of minutes when quadratic
def test_unbalanced_quotes_are_enriched(nlp: Language) -> None:
    (result,) = Enricher(nlp, Settings()).enrich_raw([orjson.dumps(UNBALANCED)])
    assert isinstance(result, list), result
    assert_offsets_inside(result, UNBALANCED["text"])


def test_an_output_over_the_message_size_is_rejected_not_sent(nlp: Language, seed_text: str) -> None:
    from streams.enrich import sized

    small = Settings(max_article_bytes=10_000)
    outputs = [Output("enriched", b"k", b"x" * (small.max_message_bytes + 1))]
    rejected = sized(outputs, small)
    assert not isinstance(rejected, list) and rejected.error == "too_large"
    assert sized(outputs[:0], small) == []


def test_the_same_article_twice_gives_the_same_ids(nlp: Language, seed_text: str) -> None:
    enricher = Enricher(nlp, Settings())
    raw = orjson.dumps({"url": "https://example.com/a", "text": seed_text})
    first, second = enricher.enrich_raw([raw, raw])
    assert first == second  # every id (article, quotes, entities) is derived from the article


# --------------------------------------------------------------------------- property test

#: Text that looks enough like news to reach every extractor: words, names, quote marks, punctuation.
NEWS_ALPHABET = st.sampled_from(
    [*"abcdefghij ABCMPT .,;:!?-\n", '"', "“", "”", "‘", "’", "'", "«", "»", "\u00a0", "é", "\u200b", "😀"]
)
WORDS = st.sampled_from(
    ["said", "says", "told", "Putin", "Macron", "Mr.", "President", "Paris", "the", "minister", "according to"]
)
NEWSY_TEXT = st.lists(st.one_of(WORDS, st.text(NEWS_ALPHABET, min_size=1, max_size=6)), max_size=60).map(" ".join)


def assert_offsets_inside(outputs: list[Output], text: str) -> None:
    enriched = orjson.loads(outputs[0].value)
    assert events.schema_errors("enriched", enriched) == []
    n = len(text)
    for sentence in enriched["sentences"]:
        assert 0 <= sentence["start"] <= sentence["end"] <= n
    for quote in enriched["quotes"]:
        span, fragments = quote["span"], quote["fragments"]
        assert 0 <= span["start"] <= span["end"] <= n
        assert (fragments[0]["start"], fragments[-1]["end"]) == (span["start"], span["end"])
        assert " … ".join(text[f["start"] : f["end"]] for f in fragments) == quote["text"]
        for speaker in quote["speakers"]:
            mention = speaker["mention"]
            assert 0 <= mention["start"] <= mention["end"] <= n
            assert text[mention["start"] : mention["end"]] == mention["text"]
        if quote["cue"]:
            assert 0 <= quote["cue"]["start"] <= quote["cue"]["end"] <= n
    for entity in enriched["entities"]:
        for mention in entity["mentions"]:
            assert 0 <= mention["start"] <= mention["end"] <= n
            assert text[mention["start"] : mention["end"]] == mention["text"]
    for output in outputs[1:]:  # the fanned-out events are valid too
        if output.topic == "person-names":  # the worker's own topic: a full name, keyed by its surname
            assert orjson.loads(output.value)["name"].split()[-1] == orjson.loads(output.key)
            continue
        event_type = {"quotes": "quote", "entities": "entity", "sentences": "sentence"}[output.topic]
        assert events.schema_errors(event_type, orjson.loads(output.value)) == []


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(NEWSY_TEXT, st.text(max_size=200)), title=st.one_of(st.none(), st.text(max_size=40)))
def test_enrichment_never_raises_and_offsets_lie_inside_the_text(nlp: Language, text: str, title: str | None) -> None:
    enricher = Enricher(nlp, Settings())
    raw = orjson.dumps({"text": text, "title": title}) if _encodable(text, title) else b""
    (result,) = enricher.enrich_raw([raw])
    if isinstance(result, list):
        assert_offsets_inside(result, text)
    else:
        # Only invalid input is rejected (empty or NUL text, lone surrogates), never a pipeline failure.
        assert result.error != "processing_failed", result.reason


def _encodable(*values: str | None) -> bool:
    try:
        for value in values:
            if value is not None:
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
