"""From candidates to `Quote` records: which candidates are quotes, their kind, their fragments."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from spacy.tokens import Span

from streams.nlp.quotes.candidates import Article, Candidate, CharSpan
from streams.nlp.quotes.content import is_proform, reported_by_agent
from streams.nlp.quotes.syntax import PASSIVE_SUBJECTS, SUBJECTS, is_verb
from streams.nlp.records import Cue, Fragment, Mention, Quote, QuoteKind

#: Reported content without quotation marks shorter than this is an object, not a statement.
MIN_INDIRECT_WORDS = 4
#: ... unless it is a clause with its own subject and verb.
MIN_CLAUSE_WORDS = 2
_WORD = re.compile(r"\w+")


def worth_reporting(article: Article, c: Candidate) -> bool:
    """Unquoted content needs a speaker and a few words: "slammed Trump" is not a quote."""
    if c.quoted or c.verbatim:
        return True
    if not c.speakers:
        return False
    span = article.span(c.start, c.end)
    if span is not None and is_proform(span, article.proforms):
        return True  # "said so": the pro-form is the report
    if c.cue is not None and c.end <= c.cue.idx and reported_by_agent(c.cue):
        return True  # "The meeting was first reported by Politico": a named source reported the subject
    words = len(_WORD.findall(article.text, c.start, c.end))
    # "said it would cooperate", "said she would": a short clause with its own subject is a report.
    return words >= MIN_INDIRECT_WORDS or (words >= MIN_CLAUSE_WORDS and span is not None and _clause(span))


def _clause(span: Span) -> bool:
    """Whether the tokens hold a verb with its own subject among them."""
    inside = range(span.start, span.end)
    return any(t.dep_ in SUBJECTS + PASSIVE_SUBJECTS and t.head.i in inside and is_verb(t.head) for t in span)


class _PrefixMax:
    """Fenwick tree over sorted positions: the largest value stored at a position up to a bound."""

    def __init__(self, positions: Sequence[int]) -> None:
        self.positions = sorted(set(positions))
        self.tree = [-1] * (len(self.positions) + 1)

    def store(self, position: int, value: int) -> None:
        k = bisect.bisect_left(self.positions, position) + 1
        while k < len(self.tree):
            self.tree[k] = max(self.tree[k], value)
            k += k & -k

    def largest_up_to(self, position: int) -> int:
        k = bisect.bisect_right(self.positions, position)
        best = -1
        while k > 0:
            best = max(best, self.tree[k])
            k -= k & -k
        return best


def not_nested(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Without reports inside another report's content ("X said Bloomberg reports that ..."): the outer
    report is the article's quote; the inner one is part of what was said.

    Inner means: its cue and its extent lie inside one fragment of a longer candidate (the narration
    between two fragments is not content). Longest first, each candidate asks whether a fragment of a
    strictly longer one, starting at or before it, reaches past its end: n log n.
    """
    ends = _PrefixMax([s for c in candidates for s, _ in c.fragments])
    by_length = sorted(candidates, key=lambda c: c.end - c.start, reverse=True)
    nested: set[int] = set()
    k = 0
    while k < len(by_length):
        length = by_length[k].end - by_length[k].start
        stop = k
        while stop < len(by_length) and by_length[stop].end - by_length[stop].start == length:
            stop += 1
        group = by_length[k:stop]
        for c in group:
            if c.cue is None:
                continue
            first = min(c.cue.idx, c.start)
            if ends.largest_up_to(first) >= max(c.end, c.cue.idx + 1):
                nested.add(id(c))
        for c in group:  # stored after the group: only strictly longer candidates hold a nested one
            for s, e in c.fragments:
                ends.store(s, e)
        k = stop
    return [c for c in candidates if id(c) not in nested]


def kind(article: Article, c: Candidate) -> QuoteKind:
    """direct: every letter of the fragments is inside quotation marks; mixed: some are; indirect: none."""
    if c.verbatim:
        return "direct"
    if not c.quoted:
        return "indirect"
    merged: list[list[int]] = []
    for s, e in sorted(c.quoted):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    starts = [s for s, _ in merged]
    for start, end in c.fragments:
        quoted_letters = 0
        k = max(bisect.bisect_right(starts, start) - 1, 0)
        while k < len(merged) and merged[k][0] < end:
            lo, hi = max(merged[k][0], start), min(merged[k][1], end)
            if lo < hi:
                quoted_letters += article.letters.count(lo, hi)
            k += 1
        if article.letters.count(start, end) > quoted_letters:
            return "mixed"  # letters outside the marks: narration around quoted words
    return "direct"


def paragraph_pieces(article: Article, fragments: Sequence[CharSpan]) -> list[CharSpan]:
    """Fragments cut at line breaks and trimmed: a quotation running over paragraphs is one fragment
    per paragraph, and no fragment holds the blank between two paragraphs."""
    text = article.text
    pieces: list[CharSpan] = []
    for start, end in fragments:
        k = bisect.bisect_left(article.paragraphs.breaks, start)
        cuts = [start]
        while k < len(article.paragraphs.breaks) and article.paragraphs.breaks[k] < end:
            cuts.append(article.paragraphs.breaks[k])
            k += 1
        cuts.append(end)
        for lo, hi in itertools.pairwise(cuts):
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            if article.letters.any(lo, hi):
                pieces.append((lo, hi))
    return pieces


def to_quote(article: Article, c: Candidate) -> Quote:
    c.fragments = paragraph_pieces(article, c.fragments)
    cue = None
    if c.cue is not None:
        t = c.cue
        lemma = "according to" if t.lower_ == "according" else t.lemma_.lower()
        cue = Cue(t.text, lemma, t.idx, t.idx + len(t.text))
    start, end = c.start, c.end
    return Quote(
        text=" … ".join(article.text[s:e] for s, e in c.fragments),
        start=start,
        end=end,
        kind=kind(article, c),
        cue=cue,
        sentence_index=article.sentences.index_at(start),
        speaker_mentions=[Mention(article.text[s:e], s, e) for s, e in c.speakers],
        fragments=[Fragment(s, e) for s, e in c.fragments],
    )


def quotes(article: Article) -> list[Quote]:
    kept = not_nested([c for c in article.candidates if worth_reporting(article, c)])
    found = [to_quote(article, c) for c in kept]
    return sorted((q for q in found if q.fragments), key=lambda q: (q.start, q.end))
