"""Event shapes and their wire format: every (de)serialization and schema check lives here.

Inbound: `validate_article(raw)` turns bytes from the articles topic into an `Article`, or raises
`InvalidArticle` with a reason (the worker sends those to the dead-letter topic).
Outbound: `enriched_event` / `quote_events` / ... build plain dicts from an article and its parsed
`Doc`; `dumps` serializes them once with orjson. `schemas/` (JSON Schema 2020-12) describes them all.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from spacy.tokens import Doc

from streams.nlp.records import Entity, Mention, Quote

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
EVENT_TYPES = ("article", "enriched", "quote", "entity", "sentence", "deadletter")

Event = dict[str, Any]


# --- wire format -------------------------------------------------------------------------------------


def dumps(event: Event | str) -> bytes:
    return orjson.dumps(event)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def register_faust_codec() -> None:
    """Register orjson as Faust's `orjson` codec, so tables, web views and typed topics use it too.

    Faust is imported here, not at the top: `streams enrich` and the parser processes never need it.
    """
    from faust.serializers import codecs

    class OrjsonCodec(codecs.Codec):
        def _dumps(self, obj: Any) -> bytes:
            return orjson.dumps(obj)

        def _loads(self, s: bytes) -> Any:
            return orjson.loads(s)

    codecs.register("orjson", OrjsonCodec())


# --- schemas -----------------------------------------------------------------------------------------


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = orjson.loads(path.read_bytes())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(event_type: str) -> Draft202012Validator:
    """The JSON Schema validator of one event type (article, enriched, quote, ...)."""
    schema = _registry().contents(f"urn:streams:{event_type}")
    return Draft202012Validator(schema, registry=_registry())


def schema_errors(event_type: str, event: Any) -> list[str]:
    """Every way `event` breaks its schema, as readable messages (empty when it is valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in sorted(validator(event_type).iter_errors(event), key=lambda e: list(e.absolute_path))
    ]


# --- inbound: articles -------------------------------------------------------------------------------


class InvalidArticle(ValueError):
    """An input that cannot be enriched. `error` is a stable code, the message says why."""

    def __init__(self, error: str, reason: str) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Article:
    article_id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    language: str | None = None


#: Characters an article id must not hold (the same rule as `article_id` in schemas/common.schema.json):
#: control characters (CR/LF would forge log lines), Unicode line separators and bidirectional overrides
#: (they disguise a log line), and '/' (no URL could reach `/articles/{id}`).
ARTICLE_ID_FORBIDDEN = re.compile(r"[\u0000-\u001f\u007f-\u009f/\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ARTICLE_ID_MAX = 512


def article_id_problem(article_id: str) -> str | None:
    """Why `article_id` is not a valid id, or None when it is."""
    if not article_id:
        return "id is empty"
    if len(article_id) > ARTICLE_ID_MAX:
        return f"id is {len(article_id)} characters long, over {ARTICLE_ID_MAX}"
    if found := ARTICLE_ID_FORBIDDEN.search(article_id):
        return f"id holds {found.group()!r} at {found.start()}: no control characters, line separators or '/'"
    if article_id in (".", ".."):
        return f"id {article_id!r} is not a URL path segment"
    return None


def derived_article_id(url: str | None, text: str) -> str:
    """Deterministic id for an article that has none: from its url, else from its text."""
    basis = f"url:{url}" if url else f"text:{text}"
    return "art_" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when containers nest deeper than `limit` (iterative: hostile input must not recurse)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def validate_article(raw: bytes, *, max_bytes: int, max_depth: int) -> Article:
    """Validate one message from the articles topic; raise `InvalidArticle` saying why it is bad."""
    if len(raw) > max_bytes:
        raise InvalidArticle("too_large", f"article is {len(raw)} bytes, over the limit of {max_bytes}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArticle("not_utf8", f"not valid UTF-8: {exc}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson stops at 1024 levels by itself; report that as the depth limit it is.
        if "depth limit" in str(exc):
            raise InvalidArticle("too_deep", f"JSON nests deeper than {max_depth} levels: {exc}") from None
        raise InvalidArticle("not_json", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidArticle("not_object", f"expected a JSON object, got {type(data).__name__}")
    if json_depth_exceeds(data, max_depth):
        raise InvalidArticle("too_deep", f"JSON nests deeper than {max_depth} levels")
    # Checked before the schema, which has the same rule, for a reason that names the character.
    if isinstance(given := data.get("id"), str) and (problem := article_id_problem(given)):
        raise InvalidArticle("invalid_article", problem)
    errors = schema_errors("article", data)
    if errors:
        raise InvalidArticle("invalid_article", "; ".join(errors))
    return article_from_mapping(data)


def article_id_of(data: dict[str, Any]) -> str:
    """The id an article object gets: its own `id`, else one derived from its url, else from its text.

    One rule for the message key `publish` sets and the `article_id` the worker emits, so they agree.
    """
    given = data.get("id")
    if isinstance(given, str) and given:
        return given
    url = data.get("url")
    return derived_article_id(url if isinstance(url, str) else None, data["text"])


def article_from_mapping(data: dict[str, Any]) -> Article:
    text = data["text"]
    return Article(
        article_id=article_id_of(data),
        text=text,
        title=data.get("title"),
        url=data.get("url"),
        source=data.get("source"),
        published_at=data.get("published_at"),
        language=data.get("language"),
    )


def article_event(article: Article) -> Event:
    """An article as it is published to the articles topic."""
    event: Event = {"id": article.article_id, "text": article.text}
    for name in ("title", "url", "source", "published_at", "language"):
        if (value := getattr(article, name)) is not None:
            event[name] = value
    return event


# --- outbound: enriched events -----------------------------------------------------------------------


#: Longest quote text the HTTP API returns (openapi.yaml, QuoteText): a hostile article's one "quote" can be
#: the whole megabyte, and /speakers returns up to 100 speakers' quotes.
QUOTE_TEXT_MAX = 1000


def clip_quote_text(text: str, limit: int = QUOTE_TEXT_MAX) -> str:
    """`text`, or its first `limit - 1` characters and an ellipsis when it is longer than `limit`."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def quote_id(article_id: str, quote: Quote) -> str:
    digest = hashlib.sha1(f"{article_id}\x1f{quote.start}\x1f{quote.end}".encode()).hexdigest()
    return f"q_{digest[:16]}"


def _mention(mention: Mention) -> Event:
    return {"text": mention.text, "start": mention.start, "end": mention.end}


def quote_payload(article_id: str, quote: Quote) -> Event:
    cue = quote.cue
    return {
        "quote_id": quote_id(article_id, quote),
        "text": quote.text,
        "span": {"start": quote.start, "end": quote.end},
        "fragments": [{"start": f.start, "end": f.end} for f in quote.fragments],
        "kind": quote.kind,
        "speakers": [
            {"name": s.name, "entity_id": s.entity_id, "title": s.title, "mention": _mention(s.mention)}
            for s in quote.speakers
        ],
        "cue": None if cue is None else {"text": cue.text, "lemma": cue.lemma, "start": cue.start, "end": cue.end},
        "sentence_index": quote.sentence_index,
    }


def entity_payload(entity: Entity) -> Event:
    return {
        "entity_id": entity.entity_id,
        "name": entity.name,
        "label": entity.label,
        "title": entity.title,
        "mentions": [_mention(m) for m in entity.mentions],
        "salience": {
            "mention_count": len(entity.mentions),
            "first_position": entity.first_position,
            "in_title": entity.in_title,
        },
    }


def sentence_payloads(doc: Doc) -> list[Event]:
    return [{"index": index, "start": sent.start_char, "end": sent.end_char} for index, sent in enumerate(doc.sents)]


def enriched_event(article: Article, doc: Doc, model: str) -> Event:
    """The whole enriched article; its parts are also the quote, entity and sentence events."""
    return {
        "article_id": article.article_id,
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "source": article.source,
        "published_at": article.published_at,
        "language": article.language,
        "model": model,
        "sentences": sentence_payloads(doc),
        "quotes": [quote_payload(article.article_id, q) for q in doc._.quotes or ()],
        "entities": [entity_payload(e) for e in doc._.entities or ()],
    }


def fan_out(enriched: Event) -> Iterator[tuple[str, Event]]:
    """The per-item events of an enriched article, as (logical topic, event), in article order."""
    article_id = enriched["article_id"]
    text = enriched["text"]
    for sentence in enriched["sentences"]:
        yield "sentences", {"article_id": article_id, **sentence, "text": text[sentence["start"] : sentence["end"]]}
    for quote in enriched["quotes"]:
        yield "quotes", {"article_id": article_id, **quote}
    for entity in enriched["entities"]:
        yield "entities", {"article_id": article_id, **entity}


# --- dead letters ------------------------------------------------------------------------------------


def dead_letter_event(
    *,
    error: str,
    reason: str,
    original: bytes,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    original_size: int | None = None,
) -> Event:
    """A dead letter. `original_size` larger than `original`: the original was cut to fit the topic."""
    size = len(original) if original_size is None else original_size
    return {
        "reason": reason,
        "error": error,
        "original_base64": base64.b64encode(original).decode("ascii"),
        "original_size": size,
        "original_truncated": size > len(original),
        "source": {
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "key_base64": None if key is None else base64.b64encode(key).decode("ascii"),
        },
        "failed_at": datetime.now(UTC).isoformat(),
    }


def original_bytes(dead_letter: Event) -> bytes:
    return base64.b64decode(dead_letter["original_base64"])
