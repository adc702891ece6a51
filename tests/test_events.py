"""Inbound validation and outbound event shapes (no Kafka, no spaCy)."""

from __future__ import annotations

import base64

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from streams import events
from streams.events import InvalidArticle, validate_article

LIMITS = {"max_bytes": 1_000_000, "max_depth": 64}


def parse(raw: bytes, **limits: int):
    return validate_article(raw, **{**LIMITS, **limits})


def test_valid_article_keeps_its_fields() -> None:
    article = parse(b'{"id": "a1", "text": "Hello.", "title": "T", "url": "u", "source": "s", "language": "en"}')
    assert (article.article_id, article.text, article.title, article.url, article.source, article.language) == (
        "a1",
        "Hello.",
        "T",
        "u",
        "s",
        "en",
    )


def test_missing_id_is_derived_from_url_then_text() -> None:
    by_url_1 = parse(b'{"text": "One.", "url": "https://example.org/a"}')
    by_url_2 = parse(b'{"text": "Two, other text.", "url": "https://example.org/a"}')
    by_text_1 = parse(b'{"text": "Same text."}')
    by_text_2 = parse(b'{"text": "Same text."}')
    assert by_url_1.article_id == by_url_2.article_id
    assert by_text_1.article_id == by_text_2.article_id
    assert by_url_1.article_id != by_text_1.article_id
    assert by_url_1.article_id.startswith("art_")


@pytest.mark.parametrize(
    ("raw", "error", "says"),
    [
        (b"not json at all", "not_json", "not valid JSON"),
        (b"\xff\xfe{}", "not_utf8", "UTF-8"),
        (b'["a list"]', "not_object", "list"),
        (b'"a string"', "not_object", "str"),
        (b"{}", "invalid_article", "'text' is a required property"),
        (b'{"text": ""}', "invalid_article", "text"),
        (b'{"text": "   \\n "}', "invalid_article", "text"),
        (b'{"text": 42}', "invalid_article", "42 is not of type 'string'"),
        (b'{"text": "nul \\u0000 inside"}', "invalid_article", "text"),
        (b'{"text": "ok", "title": 7}', "invalid_article", "title"),
        (b'{"text": "ok", "published_at": ["x"]}', "invalid_article", "published_at"),
        (b'{"text": "lone \\ud800 surrogate"}', "not_json", "not valid JSON"),
    ],
)
def test_invalid_input_is_rejected_with_a_reason(raw: bytes, error: str, says: str) -> None:
    with pytest.raises(InvalidArticle) as caught:
        parse(raw)
    assert caught.value.error == error
    assert says in caught.value.reason


def test_size_and_depth_limits() -> None:
    with pytest.raises(InvalidArticle) as too_large:
        parse(orjson.dumps({"text": "x" * 2000}), max_bytes=1000)
    assert too_large.value.error == "too_large"
    nested = b'{"text": "ok", "extra": ' + b"[" * 100 + b"]" * 100 + b"}"
    with pytest.raises(InvalidArticle) as too_deep:
        parse(nested, max_depth=50)
    assert too_deep.value.error == "too_deep"
    hostile = b'{"text": "ok", "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(InvalidArticle) as hostile_deep:
        parse(hostile)
    assert hostile_deep.value.error == "too_deep"


def test_dead_letter_carries_reason_source_and_original_bytes() -> None:
    original = b"\x00\xffnot an article"
    letter = events.dead_letter_event(
        error="not_utf8", reason="bad bytes", original=original, topic="articles", partition=1, offset=42, key=b"k"
    )
    assert events.schema_errors("deadletter", letter) == []
    assert events.original_bytes(letter) == original
    assert letter["source"] == {
        "topic": "articles",
        "partition": 1,
        "offset": 42,
        "key_base64": base64.b64encode(b"k").decode(),
    }


def test_every_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    for event_type in events.EVENT_TYPES:
        Draft202012Validator.check_schema(events.validator(event_type).schema)


def test_schema_catches_a_malformed_quote() -> None:
    bad = {
        "quote_id": "nope",
        "text": "x",
        "span": {"start": -1, "end": 2},
        "kind": "rumour",
        "speakers": [],
        "cue": None,
    }
    problems = " ".join(events.schema_errors("quote", bad))
    assert "sentence_index" in problems and "rumour" in problems and "nope" in problems and "-1" in problems


def test_orjson_is_registered_as_faust_codec() -> None:
    from faust.serializers import codecs

    events.register_faust_codec()
    payload = {"name": "Vladimir Putin", "n": 3}
    assert codecs.dumps("orjson", payload) == orjson.dumps(payload)
    assert codecs.loads("orjson", orjson.dumps(payload)) == payload


# --- article ids: reachable at /articles/{id}, safe in a log line --------------------------------------

BAD_IDS = [
    "forged\r\nINFO all is well",  # CR/LF: a forged log line
    "line\nbreak",
    "nul\u0000",
    "tab\there",
    "del\u007f",
    "nel\u0085",  # C1 NEXT LINE
    "sep\u2028arator",
    "bidi\u202eevil",
    "a/b",  # no URL reaches /articles/a/b
    "/",
    ".",
    "..",
    "x" * 513,
    "",
]
GOOD_IDS = ["a1", "with space", "ünïcode-ид", "a.b", "...", "%2F", "a?b#c", "x" * 512, "000_7fa1191bd1031bcd"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_ids_with_control_characters_or_slashes_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidArticle) as caught:
        parse(orjson.dumps({"id": bad, "text": "Hello."}))
    assert caught.value.error == "invalid_article"
    assert "\n" not in caught.value.reason and "\r" not in caught.value.reason  # the reason is one log line
    # The schema says the same on its own, for every other validator of the topic.
    assert events.schema_errors("article", {"id": bad, "text": "Hello."})
    # And so does every output event's article_id (the same definition).
    common = Draft202012Validator({"$ref": "urn:streams:common#/$defs/article_id"}, registry=events._registry())
    assert not common.is_valid(bad)


@pytest.mark.parametrize("good", GOOD_IDS)
def test_ordinary_ids_are_accepted(good: str) -> None:
    assert parse(orjson.dumps({"id": good, "text": "Hello."})).article_id == good
    assert events.schema_errors("article", {"id": good, "text": "Hello."}) == []
    assert Draft202012Validator({"$ref": "urn:streams:common#/$defs/article_id"}, registry=events._registry()).is_valid(
        good
    )


@settings(max_examples=200, deadline=None)
@given(url=st.one_of(st.none(), st.text()), text=st.text(min_size=1))
def test_a_derived_id_is_always_valid(url: str | None, text: str) -> None:
    derived = events.derived_article_id(url, text)
    assert events.article_id_problem(derived) is None
    assert not [e for e in events.schema_errors("article", {"id": derived, "text": "x"}) if e.startswith("id")]


def test_the_api_describes_article_ids_as_the_schemas_do() -> None:
    """openapi.yaml's ArticleId (the /articles/{article_id} parameter) is the schemas' article_id rule."""
    import yaml

    from streams.settings import PROJECT_ROOT

    api = yaml.safe_load((PROJECT_ROOT / "openapi.yaml").read_text())["components"]["schemas"]["ArticleId"]
    common = orjson.loads((events.SCHEMA_DIR / "common.schema.json").read_bytes())["$defs"]["article_id"]
    assert {key: api[key] for key in ("type", "minLength", "maxLength", "not")} == {
        key: common[key] for key in ("type", "minLength", "maxLength", "not")
    }
    assert common["maxLength"] == events.ARTICLE_ID_MAX
    assert common["not"]["anyOf"][0]["pattern"] == events.ARTICLE_ID_FORBIDDEN.pattern


def test_quote_text_is_clipped_to_the_api_bound() -> None:
    import yaml

    from streams.settings import PROJECT_ROOT

    api = yaml.safe_load((PROJECT_ROOT / "openapi.yaml").read_text())["components"]["schemas"]["QuoteText"]
    assert api["maxLength"] == events.QUOTE_TEXT_MAX
    short = "We will win."
    assert events.clip_quote_text(short) == short
    exact = "x" * events.QUOTE_TEXT_MAX
    assert events.clip_quote_text(exact) == exact
    clipped = events.clip_quote_text("y" * 1_000_000)
    assert len(clipped) == events.QUOTE_TEXT_MAX and clipped.endswith("\u2026") and clipped.startswith("yyy")
