"""What the constructions share: one article's parse with its indexes, and the quotes found so far.

A `Candidate` is a quote under construction (its fragments grow while later constructions attach
quotations to it). `Article` holds the indexes (quotation marks, paragraphs, sentences, letters) and
the candidates with the lookups the constructions need (by cue, by end, "is this stretch taken"), each
kept up to date on every change, so no construction rescans the list (quadratic with thousands of quotes).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from streams.nlp import lexicons
from streams.nlp.quotes.marks import Quotation, QuotationIndex, quotations
from streams.nlp.quotes.positions import Letters, Paragraphs, Sentences, SpanUnion
from streams.nlp.text import doc_text

CharSpan = tuple[int, int]


@dataclass(slots=True, eq=False)
class Candidate:
    fragments: list[CharSpan]
    cue: Token | None
    speakers: list[CharSpan]
    #: Character spans of quotations overlapping the content.
    quoted: list[CharSpan] = field(default_factory=list)
    #: The speaker's own words without quotation marks (a transcript turn, an interview answer): direct.
    verbatim: bool = False
    #: Order of creation: among equal ends the earlier candidate wins, as it did in the list.
    order: int = 0

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


class _ByEnd:
    """Candidates sorted by end: the latest one ending before an offset, by bisection."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.items: list[Candidate] = []

    def add(self, c: Candidate) -> None:
        key = (c.end, -c.order)
        k = bisect.bisect_left(self.keys, key)
        self.keys.insert(k, key)
        self.items.insert(k, c)

    def remove(self, c: Candidate, end: int) -> None:
        k = bisect.bisect_left(self.keys, (end, -c.order))
        if k < len(self.items) and self.items[k] is c:
            del self.keys[k]
            del self.items[k]

    def last_ending_by(self, offset: int) -> Candidate | None:
        k = bisect.bisect_right(self.keys, (offset, math.inf)) - 1
        return self.items[k] if k >= 0 else None


class Article:
    """One parsed article as the constructions read it, and the candidates they found in it."""

    def __init__(self, doc: Doc, cues: dict[str, frozenset[str]]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.cues = cues
        self.proforms = lexicons.words("proforms.txt")
        self.marks = QuotationIndex(quotations(self.text))
        self.paragraphs = Paragraphs(self.text)
        self.letters = Letters(self.text)
        self.sentences = Sentences(doc)
        #: Content spans of transcript turns ("SMITH: ..."), in text order.
        self.turns: list[CharSpan] = []
        self.candidates: list[Candidate] = []
        self._taken = SpanUnion()
        self._by_cue: dict[int, list[Candidate]] = {}
        #: (start, end, number of fragments) -> candidates: equal fragments are looked for there only.
        self._by_outline: dict[tuple[int, int, int], list[Candidate]] = {}
        self._by_end = _ByEnd()
        self._quoted_with_cue = _ByEnd()

    # -- positions ------------------------------------------------------------------------------

    def paragraph_of(self, i: int) -> CharSpan:
        return self.paragraphs.of(i)

    def sentence_of(self, token: Token) -> Span:
        return self.sentences.of(token)

    def inside_quotation(self, start: int, end: int) -> Quotation | None:
        return self.marks.inside(start, end)

    def quoted(self, tok: Token) -> bool:
        return self.marks.inside(tok.idx, tok.idx + len(tok.text)) is not None

    def in_turn(self, i: int) -> bool:
        k = bisect.bisect_right(self.turns, (i, math.inf)) - 1
        return k >= 0 and self.turns[k][0] <= i < self.turns[k][1]

    def span(self, start: int, end: int) -> Span | None:
        return self.doc.char_span(start, end, alignment_mode="expand")

    # -- candidates -----------------------------------------------------------------------------

    def taken(self, start: int, end: int) -> bool:
        """Whether a candidate's extent shares a character with start..end."""
        return self._taken.overlaps(start, end)

    def has_fragments(self, fragments: list[CharSpan]) -> bool:
        """Whether a candidate has these very fragments already."""
        same = self._by_outline.get((fragments[0][0], fragments[-1][1], len(fragments)), ())
        return any(c.fragments == fragments for c in same)

    def with_cue(self, cue: Token) -> list[Candidate]:
        return self._by_cue.get(cue.i, [])

    def latest_before(self, offset: int) -> Candidate | None:
        """The candidate ending last at or before offset."""
        return self._by_end.last_ending_by(offset)

    def latest_quotation_before(self, offset: int) -> Candidate | None:
        """The candidate with a cue and a quotation ending last at or before offset."""
        return self._quoted_with_cue.last_ending_by(offset)

    def add(self, c: Candidate) -> None:
        c.order = len(self.candidates)
        self.candidates.append(c)
        self._index(c)
        if c.cue is not None:
            self._by_cue.setdefault(c.cue.i, []).append(c)

    def add_fragment(self, c: Candidate, fragment: CharSpan, quotation: CharSpan | None = None) -> None:
        """Another fragment of the speaker's words (and the quotation it holds) joins a candidate."""
        self._unindex(c)
        bisect.insort(c.fragments, fragment)
        if quotation is not None:
            c.quoted.append(quotation)
        self._index(c)

    def stretch_to(self, c: Candidate, end: int, quotation: CharSpan) -> None:
        """The candidate's last fragment runs on to `end`, taking in the quotation there."""
        self._unindex(c)
        c.fragments[-1] = (c.fragments[-1][0], max(end, c.fragments[-1][1]))
        c.quoted.append(quotation)
        self._index(c)

    def _index(self, c: Candidate) -> None:
        self._taken.add(c.start, c.end)
        self._by_outline.setdefault(self._outline(c), []).append(c)
        self._by_end.add(c)
        if c.quoted and c.cue is not None:
            self._quoted_with_cue.add(c)

    def _unindex(self, c: Candidate) -> None:
        self._by_outline[self._outline(c)].remove(c)
        self._by_end.remove(c, c.end)
        self._quoted_with_cue.remove(c, c.end)

    @staticmethod
    def _outline(c: Candidate) -> tuple[int, int, int]:
        return c.start, c.end, len(c.fragments)
