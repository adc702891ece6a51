"""Acceptance on the seed article: the quotes, their speakers and the entities the product promises."""

from __future__ import annotations

import pytest
from spacy.language import Language

from streams.enrich import Enricher
from streams.events import Article, Event
from streams.settings import Settings
from tests.support import EXPECTED_ENTITIES, SEED_PATH

# (a fragment of the quote's text, the surname of its speaker, how many quotes carry it)
EXPECTED_QUOTES = [
    ("show a lack of understanding of the course of the conflict", "Putin", 2),  # headline and body
    ("sounded incorrect", "Putin", 1),
    ("There will be an opportunity", "Putin", 1),
    ("Russia has always sincerely sought to resolve any conflicts", "Putin", 1),
    ("destabilising", "Macron", 2),  # caption and body
    ("seeking to create disorder", "Macron", 2),
    ("a terrible war, with many deaths, atrocious scenes", "Macron", 1),
    ("Azerbaijan has launched several offensives", "Macron", 1),
    ("came up with insulting, unacceptable, false and provocative statements", "Aliyev", 1),
    ("We do not see any further possibility for France to play any role", "Aliyev", 1),
]

FULL_NAMES = {"Putin": "Vladimir Putin", "Macron": "Emmanuel Macron", "Aliyev": "Ilham Aliyev"}


@pytest.fixture(scope="module")
def enriched(nlp: Language) -> Event:
    article = Article(article_id=SEED_PATH.stem, text=SEED_PATH.read_text(encoding="utf-8"))
    return next(Enricher(nlp, Settings()).enrich([article]))


@pytest.mark.parametrize(("fragment", "surname", "count"), EXPECTED_QUOTES)
def test_seed_quote_and_speaker(enriched: Event, fragment: str, surname: str, count: int) -> None:
    quotes = [q for q in enriched["quotes"] if fragment in q["text"]]
    assert len(quotes) >= count, f"{fragment!r}: found {len(quotes)} quotes, want {count}"
    for quote in quotes:
        names = [s["name"] for s in quote["speakers"]]
        assert names == [FULL_NAMES[surname]], f"{fragment!r} attributed to {names}"


def test_the_he_said_quotes_keep_the_pronoun_as_mention(enriched: Event) -> None:
    russia = next(q for q in enriched["quotes"] if "Russia has always sincerely" in q["text"])
    speaker = russia["speakers"][0]
    assert speaker["name"] == "Vladimir Putin"
    assert speaker["mention"]["text"] == "he"
    assert enriched["text"][speaker["mention"]["start"] : speaker["mention"]["end"]] == "he"
    assert russia["cue"]["lemma"] == "say"
    assert russia["kind"] == "direct"


def test_mixed_quote_is_one_quote_with_its_fragments(enriched: Event) -> None:
    mixed = next(q for q in enriched["quotes"] if "sounded incorrect" in q["text"])
    assert mixed["kind"] == "mixed"
    assert "unacceptable" in mixed["text"]
    assert mixed["cue"]["lemma"] == "add"


def test_seed_entities(enriched: Event) -> None:
    found = {(e["name"], e["label"]) for e in enriched["entities"]}
    missing = EXPECTED_ENTITIES - found
    assert not missing, f"missing {missing}"
    names = [e["name"] for e in enriched["entities"]]
    assert all(names.count(name) == 1 for name, _ in EXPECTED_ENTITIES)
    persons = {e["name"] for e in enriched["entities"] if e["label"] == "PERSON"}
    assert persons == {"Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev"}


def test_speakers_point_at_the_canonical_entities(enriched: Event) -> None:
    ids = {e["name"]: e["entity_id"] for e in enriched["entities"]}
    speakers = [speaker for quote in enriched["quotes"] for speaker in quote["speakers"]]
    # Every quote of the seed article has a named speaker, and each is one of the article's entities.
    assert speakers and all(speaker["entity_id"] is not None for speaker in speakers)
    assert {(s["name"], s["entity_id"]) for s in speakers} == {
        (name, ids[name]) for name in ("Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev")
    }
