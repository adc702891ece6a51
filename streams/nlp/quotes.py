"""Quote extraction: direct, indirect and mixed quotes with their cue and raw speaker mention."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from streams.nlp.records import Quote

Doc.set_extension("quotes", default=None, force=True)


def extract_quotes(doc: Doc) -> list[Quote]:
    return []


@Language.factory("streams_quotes")
def make_quotes(nlp: Language, name: str) -> QuoteExtractor:
    return QuoteExtractor()


class QuoteExtractor:
    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = extract_quotes(doc)
        return doc
