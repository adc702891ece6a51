"""Quote extraction: direct, indirect and mixed quotes with their cue and raw speaker mention.

Two passes over one parse:

1. Cue first. Every cue word of the lexicon (`data/cues.txt`, lemma-based) outside quotation marks
   whose dependency frame holds content ("said that ...", "..., he said", "condemned ...",
   "according to X, ...") gives a quote: its content is the complement's subtree, stretched to the
   quotation marks it overlaps, and its speaker is the cue's subject (or the "by"/"according to"
   object).
2. Marks first. Every quotation the first pass did not cover looks for a cue near it (the parser
   often cuts `"...," he said` or `He said: "..."` badly), or continues the quote before it
   (`"...," he said. "..."`, a floating paragraph that is only a quote).

Quotation marks are found on the text, not the tokens: straight and curly double quotes, guillemets,
`''`/``` `` ``` digraphs, single quotes when no double quote is open, and the newspaper convention of
paragraphs that open with a mark and never close it. Unbalanced marks never raise: a quote left open
ends with its paragraph.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token

from streams.nlp.records import Cue, Mention, Quote, QuoteKind

Doc.set_extension("quotes", default=None, force=True)

DATA_DIR = Path(__file__).parent / "data"

# ---------------------------------------------------------------------------------------------------
# Lexicon


@lru_cache(maxsize=8)
def load_cues(path: Path = DATA_DIR / "cues.txt") -> dict[str, frozenset[str]]:
    """Cue lemma (or multiword preposition) -> frames where its content stands (see the file's header)."""
    cues: dict[str, frozenset[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        lemma, _, frames = line.rpartition(" ")
        cues[lemma.strip().lower()] = frozenset(f.strip() for f in frames.split(",") if f.strip())
    return cues


@lru_cache(maxsize=8)
def load_words(path: Path) -> frozenset[str]:
    """A one-word-a-line data file, lower-cased, comments dropped."""
    lines = (raw.split("#", 1)[0].strip().lower() for raw in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line)


# ---------------------------------------------------------------------------------------------------
# Quotation marks, on the text

_OPENING = frozenset("“«„‟")
_CLOSING = frozenset("”»")
_STRAIGHT = '"'
#: Characters after which a straight mark opens rather than closes.
_OPEN_CONTEXT = frozenset(" \t\n\r([{—–-/:;\x00")


@dataclass(frozen=True, slots=True)
class Quotation:
    """Characters from an opening mark to just after its closing mark (or to the paragraph's end)."""

    start: int
    end: int
    closed: bool


def _mark_at(text: str, i: int) -> tuple[str, int] | None:
    """(role, length) of a double quotation mark at i: role is "open", "close" or "either"."""
    ch = text[i]
    if ch in _OPENING:
        return "open", 1
    if ch in _CLOSING:
        return "close", 1
    if ch == _STRAIGHT:
        return "either", 1
    if text.startswith("``", i):
        return "open", 2
    if text.startswith("''", i):
        return "either", 2
    return None


def _paragraph_end(text: str, i: int) -> int:
    """The end of the paragraph containing i, trailing spaces excluded."""
    end = text.find("\n", i)
    end = len(text) if end < 0 else end
    while end > i and text[end - 1].isspace():
        end -= 1
    return end


def _continues(text: str, newline: int) -> int | None:
    """If the paragraph after this newline opens with a quotation mark, the offset after that mark."""
    j = newline
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text):
        return None
    mark = _mark_at(text, j)
    if mark and mark[0] in ("open", "either"):
        return j + mark[1]
    return None


def double_quotations(text: str) -> list[Quotation]:
    """Spans of double quotation marks, pairing them left to right; never raises."""
    spans: list[Quotation] = []
    open_at: int | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            if open_at is not None:
                resume = _continues(text, i)
                if resume is not None:
                    # Newspaper convention: a quote running on opens each paragraph and closes once.
                    i = resume
                    continue
                spans.append(Quotation(open_at, max(_paragraph_end(text, open_at), open_at + 1), False))
                open_at = None
            i += 1
            continue
        mark = _mark_at(text, i)
        if mark is None:
            i += 1
            continue
        role, length = mark
        if role == "either":
            before = text[i - 1] if i else "\n"
            if open_at is None:
                role = (
                    "open"
                    if before in _OPEN_CONTEXT
                    or before in _OPENING
                    or (not before.isalnum() and (i + length < n and text[i + length].isalnum()))
                    else "close"
                )
            else:
                role = "close"
        if role == "open":
            if open_at is not None and i > open_at:
                # An opening mark inside an open quote: the previous one never closed.
                spans.append(Quotation(open_at, i, False))
            open_at = i
        elif open_at is not None:
            spans.append(Quotation(open_at, i + length, True))
            open_at = None
        i += length
    if open_at is not None:
        spans.append(Quotation(open_at, max(_paragraph_end(text, open_at), open_at + 1), False))
    return [s for s in spans if s.end <= n]


def single_quotations(text: str, outside: Sequence[Quotation]) -> list[Quotation]:
    """‘Single’ quotes outside double ones, within a paragraph; an unclosed one is an apostrophe."""
    spans: list[Quotation] = []
    covered = [(q.start, q.end) for q in outside]
    open_at: int | None = None
    n = len(text)
    for i, ch in enumerate(text):
        if ch == "\n":
            open_at = None
            continue
        if ch not in "‘’'":
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < n else " "
        opens = ch == "‘" or (ch == "'" and (before.isspace() or before in "([—") and after.isalpha())
        closes = ch in "’'" and not after.isalnum() and (before.isalnum() or before in ".,!?")
        if open_at is None and opens:
            open_at = i
        elif open_at is not None and closes and i - open_at > 1:
            if not any(s <= open_at < e for s, e in covered):
                spans.append(Quotation(open_at, i + 1, True))
            open_at = None
    return spans


def quotations(text: str) -> list[Quotation]:
    doubles = double_quotations(text)
    return sorted([*doubles, *single_quotations(text, doubles)], key=lambda q: q.start)


# ---------------------------------------------------------------------------------------------------
# Candidates: mutable while the passes work, turned into `Quote` records at the end


@dataclass(slots=True)
class Candidate:
    fragments: list[tuple[int, int]]
    cue: Token | None
    speakers: list[tuple[int, int]]
    #: Character spans of quotations overlapping the content.
    quoted: list[tuple[int, int]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


_SUBJECTS = ("nsubj", "csubj")
_PASSIVE_SUBJECTS = ("nsubjpass", "csubjpass")
#: Dependencies through which a subject-less cue takes its head's subject ("reacted, saying ...").
_INHERIT = ("advcl", "xcomp", "conj", "acl", "pcomp", "relcl")
_RELATIVE = frozenset({"who", "that", "which", "whom"})
#: Children of a speaker's head that are not part of the speaker.
_NOT_SPEAKER = ("conj", "cc", "relcl", "acl", "advcl", "punct", "preconj", "prep")


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB")


def subject_heads(verb: Token, depth: int = 3) -> list[Token]:
    """Head tokens of the cue's speaker(s): the subject, the passive agent, or an inherited subject."""
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            if child.lower_ in _RELATIVE and verb.dep_ == "relcl":
                return [verb.head]  # "Trump, who said ..."
            return [child]
    for child in verb.children:
        if child.dep_ == "agent":
            return [t for t in child.children if t.dep_ == "pobj"]
    if depth and verb.dep_ in _INHERIT and verb.head is not verb:
        head = verb.head
        if not _is_verb(head) and head.head is not head:
            head = head.head  # "issued a statement saying ..."
        if verb.dep_ == "relcl" and not _is_verb(verb.head):
            return [verb.head]
        return subject_heads(head, depth - 1)
    return []


def speaker_span(head: Token) -> tuple[int, int]:
    """The speaker phrase around its head: modifiers and appositions, not conjuncts or clauses."""
    tokens = [head]
    for child in head.children:
        if child.dep_ not in _NOT_SPEAKER:
            tokens.extend(child.subtree)
    tokens = [t for t in tokens if not t.is_punct] or [head]
    first = min(tokens, key=lambda t: t.i)
    last = max(tokens, key=lambda t: t.i)
    return first.idx, last.idx + len(last.text)


def speaker_spans(heads: Iterable[Token]) -> list[tuple[int, int]]:
    """One span per conjoined speaker: "Putin and Aliyev" gives two."""
    spans: list[tuple[int, int]] = []
    for head in heads:
        for tok in (head, *head.conjuncts):
            if tok.pos_ in ("NOUN", "PROPN", "PRON") or tok is head:
                span = speaker_span(tok)
                if span not in spans:
                    spans.append(span)
    return spans


def _subtrees(tokens: Iterable[Token]) -> list[Token]:
    out: dict[int, Token] = {}
    for tok in tokens:
        for t in tok.subtree:
            out[t.i] = t
    return [out[i] for i in sorted(out)]


def content_tokens(verb: Token, frames: frozenset[str]) -> list[Token]:
    """The tokens of what the cue reports, from its dependency frame; [] when it reports nothing."""
    children = list(verb.children)
    ccomp = [c for c in children if c.dep_ == "ccomp"]
    if "clause" in frames and ccomp:
        return _subtrees(ccomp)
    if "object" in frames:
        objects = [c for c in children if c.dep_ in ("dobj", "oprd")]
        if objects:
            return _subtrees(objects)
    for word in ("of", "as"):
        if word in frames:
            preps = [c for c in children if c.dep_ == "prep" and c.lower_ == word]
            objects = [t for p in preps for t in p.children if t.dep_ in ("pobj", "pcomp")]
            if objects:
                if word == "as":  # "described the plan as a failure": the object and what it is called
                    objects = [c for c in children if c.dep_ == "dobj"] + objects
                return _subtrees(objects)
    if "clause" in frames and verb.dep_ == "parataxis" and verb.head.i != verb.i:
        # "Nothing, he said, will change": the cue interrupts the clause it reports.
        own = {t.i for t in verb.subtree}
        return [t for t in verb.head.subtree if t.i not in own]
    if "clause" in frames and verb.dep_ in ("ROOT", "conj"):
        # `He said: "..."` and "He said the plan would fail" parsed without a ccomp.
        objects = [c for c in children if c.dep_ in ("dobj", "xcomp") and c.i > verb.i and verb.lemma_ != "tell"]
        if objects and any(_is_verb(t) for t in _subtrees(objects)):
            return _subtrees(objects)
    return []


def _trim(tokens: Sequence[Token]) -> tuple[int, int] | None:
    """Character span of tokens without punctuation (other than quote marks) or spaces at the edges."""
    toks = [t for t in tokens if not t.is_space]
    while toks and toks[0].is_punct and not toks[0].is_quote:
        toks = toks[1:]
    while toks and toks[-1].is_punct and not toks[-1].is_quote:
        toks = toks[:-1]
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


class QuoteFinder:
    """The passes over one Doc; small methods, state is the doc's quotations and the candidates."""

    def __init__(self, doc: Doc, cues: dict[str, frozenset[str]]) -> None:
        self.doc = doc
        self.text = doc.text
        self.cues = cues
        self.quotations = quotations(self.text)
        self.q_starts = [q.start for q in self.quotations]
        self.token_starts = [t.idx for t in doc]
        self.candidates: list[Candidate] = []

    # -- helpers --------------------------------------------------------------------------------

    def inside_quotation(self, start: int, end: int) -> Quotation | None:
        k = bisect.bisect_right(self.q_starts, start) - 1
        if k >= 0 and self.quotations[k].start <= start and end <= self.quotations[k].end:
            return self.quotations[k]
        return None

    def overlapping(self, start: int, end: int) -> list[Quotation]:
        return [q for q in self.quotations if q.start < end and start < q.end]

    def paragraph_of(self, i: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, i) + 1
        end = self.text.find("\n", i)
        return start, len(self.text) if end < 0 else end

    # -- pass 1: cues --------------------------------------------------------------------------

    def from_cues(self) -> None:
        for tok in self.doc:
            if self.inside_quotation(tok.idx, tok.idx + len(tok.text)):
                continue  # the speaker's own words: nested reports are not the article's quotes
            if tok.lower_ == "according":
                self.add_according(tok)
                continue
            frames = self.cues.get(tok.lemma_.lower())
            if frames is None or not _is_verb(tok):
                continue
            content = content_tokens(tok, frames)
            span = _trim(content)
            if span is None:
                continue
            heads = subject_heads(tok)
            self.add(span, tok, speaker_spans(heads))

    def add_according(self, tok: Token) -> None:
        if "prep" not in self.cues.get("according to", frozenset()):
            return
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        if to is None:
            return
        sources = [c for c in to.children if c.dep_ == "pobj"]
        if not sources:
            return
        phrase = {t.i for t in tok.subtree}
        head = tok.head if tok.head is not tok else tok
        content = [t for t in head.subtree if t.i not in phrase]
        span = _trim(content)
        if span is None:
            return
        # Keep the side of the clause the phrase does not sit in when it interrupts it.
        self.add(span, tok, speaker_spans(sources))

    def add(self, span: tuple[int, int], cue: Token | None, speakers: list[tuple[int, int]]) -> Candidate | None:
        start, end = span
        # Stretch the content to the quotations it touches: the parser cuts long quotes at sentences.
        quoted = self.overlapping(start, end)
        for q in quoted:
            start, end = min(start, q.start), max(end, q.end)
        if cue is not None and start <= cue.idx < end and not quoted:
            return None
        if not any(ch.isalnum() for ch in self.text[start:end]):
            return None
        candidate = Candidate([(start, end)], cue, speakers, [(q.start, q.end) for q in quoted])
        for other in self.candidates:
            if other.fragments == candidate.fragments:
                return None
        self.candidates.append(candidate)
        return candidate

    # -- pass 2: quotation marks ---------------------------------------------------------------

    def quote_like(self, q: Quotation) -> bool:
        """A quotation worth reporting: a clause or a long phrase, not a title or a scare-quoted word."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            return False
        words = [t for t in span if t.is_alpha]
        if len(words) >= 6:
            return True
        return len(words) >= 2 and any(_is_verb(t) and t.dep_ not in ("amod", "compound") for t in span)

    def from_quotations(self) -> None:
        for q in self.quotations:
            if any(q.start < c.end and c.start < q.end for c in self.candidates):
                continue
            if not self.quote_like(q):
                continue
            if self.attach_to_previous(q):
                continue
            cue = self.nearby_cue(q)
            if cue is not None:
                self.add((q.start, q.end), cue, speaker_spans(subject_heads(cue)))
                continue
            self.floating(q)

    def attach_to_previous(self, q: Quotation) -> bool:
        """`"...," he said. "..."`: a quotation right after a quote's cue, same paragraph, continues it."""
        previous = self.previous_candidate(q.start)
        if previous is None or previous.cue is None or not previous.quoted:
            return False
        para_start, _ = self.paragraph_of(q.start)
        if previous.end < para_start or (previous.cue.idx < previous.end - 1 and previous.cue.idx > q.start):
            return False
        gap = self.text[previous.end : q.start]
        if len(gap) > 120 or any(self.overlapping(previous.end, q.start)):
            return False
        if previous.cue.idx < previous.start:
            return False  # `He said: "A." "B."`: B needs a cue of its own, or is floating
        previous.fragments.append((q.start, q.end))
        previous.quoted.append((q.start, q.end))
        return True

    def previous_candidate(self, before: int) -> Candidate | None:
        previous = [c for c in self.candidates if c.end <= before]
        return max(previous, key=lambda c: c.end) if previous else None

    def nearby_cue(self, q: Quotation) -> Token | None:
        """A cue verb with a subject in the sentences the quotation touches, or just before a colon."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            return None
        para_start, para_end = self.paragraph_of(q.start)
        first, last = span[0], span[-1]
        lo = first.sent.start
        hi = last.sent.end
        prev = self.doc[lo - 1] if lo > 0 else None
        if prev is not None and (prev.text == ":" or (prev.is_punct and self.doc[max(lo - 2, 0)].text == ":")):
            lo = prev.sent.start  # `He said: "..."` split into two sentences
        best: tuple[int, Token] | None = None
        for tok in self.doc[lo:hi]:
            if tok.idx < para_start or tok.idx >= para_end:
                continue
            if self.inside_quotation(tok.idx, tok.idx + len(tok.text)):
                continue
            frames = self.cues.get(tok.lemma_.lower())
            if frames is None or not _is_verb(tok) or "clause" not in frames:
                continue
            if not subject_heads(tok):
                continue
            distance = min(abs(tok.i - first.i), abs(tok.i - last.i))
            if best is None or distance < best[0]:
                best = (distance, tok)
        return best[1] if best else None

    def floating(self, q: Quotation) -> None:
        """A paragraph that is only a quote continues the speaker of the quote just before it."""
        para_start, para_end = self.paragraph_of(q.start)
        rest = self.text[para_start : q.start] + self.text[q.end : para_end]
        if any(ch.isalnum() for ch in rest):
            return
        previous = self.previous_candidate(q.start)
        if previous is None or not previous.speakers or not previous.quoted:
            return
        # Only right after that quote's paragraph: further on, the text no longer supports it.
        between = self.text[previous.end : para_start]
        if "\n" not in between or any(ch.isalnum() for ch in between):
            return
        self.candidates.append(Candidate([(q.start, q.end)], None, list(previous.speakers), [(q.start, q.end)]))

    # -- results -------------------------------------------------------------------------------

    def kind(self, candidate: Candidate) -> QuoteKind:
        if not candidate.quoted:
            return "indirect"
        for start, end in candidate.fragments:
            quoted_here = [(s, e) for s, e in candidate.quoted if s < end and start < e]
            outside = [
                i for i in range(start, end) if self.text[i].isalnum() and not any(s <= i < e for s, e in quoted_here)
            ]
            if outside:
                return "mixed"
        return "direct"

    def sentence_index(self, starts: list[int], char: int) -> int:
        return max(bisect.bisect_right(starts, char) - 1, 0)

    def quotes(self) -> list[Quote]:
        self.from_cues()
        self.from_quotations()
        sentence_starts = [s.start_char for s in self.doc.sents]
        quotes = []
        for c in sorted(self.candidates, key=lambda c: (c.start, c.end)):
            start, end = c.start, c.end
            cue = None
            if c.cue is not None:
                t = c.cue
                lemma = "according to" if t.lower_ == "according" else t.lemma_.lower()
                cue = Cue(t.text, lemma, t.idx, t.idx + len(t.text))
            mentions = [Mention(self.text[s:e], s, e) for s, e in c.speakers]
            quotes.append(
                Quote(
                    text=self.text[start:end],
                    start=start,
                    end=end,
                    kind=self.kind(c),
                    cue=cue,
                    sentence_index=self.sentence_index(sentence_starts, start),
                    speaker_mentions=mentions,
                )
            )
        return quotes


def extract_quotes(doc: Doc, cues: dict[str, frozenset[str]] | None = None) -> list[Quote]:
    """The quotes of a parsed Doc (needs the parser, tagger and lemmatizer; NER is not used here)."""
    if not len(doc):
        return []
    return QuoteFinder(doc, cues if cues is not None else load_cues()).quotes()


@Language.factory("streams_quotes")
def make_quotes(nlp: Language, name: str) -> QuoteExtractor:
    return QuoteExtractor()


class QuoteExtractor:
    def __init__(self, cues: dict[str, frozenset[str]] | None = None) -> None:
        self.cues = cues if cues is not None else load_cues()

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = extract_quotes(doc, self.cues)
        return doc
