"""Quote extraction: direct, indirect and mixed quotes with their cue and raw speaker mention.

One parse, read by a short pipeline of constructions (`constructions.PIPELINE`, in this order):

1. transcript turns (`SMITH: ...`) and interview answers (`A: ...`), in `transcripts`;
2. cue frames, in `cues`: every cue word of the lexicon (`data/cues.txt`, lemma-based) outside quotation marks
   whose dependency frame holds content ("said that ...", "..., he said", "condemned ...",
   "according to X, ..."); its speaker is the cue's subject (or the "by"/"according to" object);
3. quotations, in `quotations`: every quotation no frame covered continues the quote before it
   (`"...," he said. "..."`), finds a cue near it, is signed with a dash, follows a name or a person's
   clause and a colon (`Kasich resisted: "..."`), is the object of a cue verb (or of any verb of a named
   speaker, when it is in the shape of speech), goes on with the report of the sentence before it
   (`Carter said the pivot would go on. "..."`), or floats (a paragraph that is only a quote, after a
   report's paragraph or a sentence whose subject is a person: `Doe was blunt.`).

Modules: `marks` (quotation marks on the text), `syntax`, `speaker_phrases` and `content` (what a cue's
dependency frame says), `candidates` (the article's indexes and the quotes found so far), `assembly`
(content tokens to a candidate), `transcripts`, `cues` and `quotations` (one function per construction),
`constructions` (`PIPELINE`, their order), `results` (candidates to `Quote` records).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from streams.nlp import lexicons
from streams.nlp.quotes.candidates import Article
from streams.nlp.quotes.constructions import PIPELINE
from streams.nlp.quotes.content import main_fragments
from streams.nlp.quotes.marks import Quotation, quotations
from streams.nlp.quotes.results import quotes
from streams.nlp.quotes.speaker_phrases import appositive_speaker
from streams.nlp.records import Quote

Doc.set_extension("quotes", default=None, force=True)


def extract_quotes(doc: Doc, cues: dict[str, frozenset[str]] | None = None) -> list[Quote]:
    """The quotes of a parsed Doc (needs the parser, tagger and lemmatizer; NER is not used here)."""
    if not len(doc):
        return []
    article = Article(doc, cues if cues is not None else lexicons.cues())
    for construction in PIPELINE:
        construction(article)
    return quotes(article)


class QuoteExtractor:
    """Sets `doc._.quotes`. Raises on a bug, like every component: the Enricher decides what an
    article that cannot be processed becomes (a `processing_failed` dead letter)."""

    def __init__(self, cues: dict[str, frozenset[str]] | None = None) -> None:
        self.cues = cues if cues is not None else lexicons.cues()

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = extract_quotes(doc, self.cues)
        return doc


@Language.factory(
    "streams_quotes",
    default_config={},
    assigns=["doc._.quotes"],
    requires=["token.dep", "token.head", "token.lemma", "token.pos", "token.tag", "token.is_sent_start"],
)
def make_quotes(nlp: Language, name: str) -> QuoteExtractor:
    return QuoteExtractor()


__all__ = [
    "Quotation",
    "QuoteExtractor",
    "appositive_speaker",
    "extract_quotes",
    "main_fragments",
    "quotations",
]
