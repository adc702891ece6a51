"""Paragraph boundaries set before the parser."""

from __future__ import annotations

import spacy
from spacy.language import Language

from streams.nlp.paragraphs import mark_paragraphs, paragraph_starts


def test_a_blank_line_starts_a_sentence() -> None:
    doc = spacy.blank("en")("A headline without a stop\n\nThe body starts here.")
    [start] = paragraph_starts(doc)
    assert doc[start].text == "The"
    assert mark_paragraphs(doc)[start].is_sent_start


def test_a_single_newline_is_only_a_line_break() -> None:
    doc = spacy.blank("en")("A line wrapped\nin the middle of a sentence.")
    assert paragraph_starts(doc) == []


def test_the_parser_keeps_the_boundary(nlp: Language) -> None:
    doc = nlp("Senate passes the budget bill\n\nLawmakers voted on Tuesday after a long debate.")
    assert [s.text.strip() for s in doc.sents] == [
        "Senate passes the budget bill",
        "Lawmakers voted on Tuesday after a long debate.",
    ]
