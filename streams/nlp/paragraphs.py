"""Paragraph boundaries before the parser: a blank line always ends a sentence.

The small model sometimes runs a paragraph into the next one (a headline or a caption without a full
stop, a quote closing a paragraph). Every component reads sentences, so the boundary is set once, on
the tokenised text, before the parser: spaCy's parser keeps preset `is_sent_start` values.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

#: Newlines in one whitespace token that make a paragraph break.
BLANK_LINE = 2


def paragraph_starts(doc: Doc) -> list[int]:
    """Indices of the first token after each run of whitespace holding a blank line ("\\n\\n")."""
    return [tok.i + 1 for tok in doc[:-1] if tok.is_space and tok.text.count("\n") >= BLANK_LINE]


def mark_paragraphs(doc: Doc) -> Doc:
    for i in paragraph_starts(doc):
        doc[i].is_sent_start = True
    return doc


@Language.component("streams_paragraphs", assigns=["token.is_sent_start"])
def paragraphs(doc: Doc) -> Doc:
    return mark_paragraphs(doc)
