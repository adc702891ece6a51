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
import logging
import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Token

from streams.nlp import lexicons
from streams.nlp.records import Cue, Mention, Quote, QuoteKind

Doc.set_extension("quotes", default=None, force=True)

logger = logging.getLogger(__name__)

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


def _family(text: str, i: int) -> str:
    """Marks pair within a family: a straight quote is not continued by a curly one."""
    ch = text[i]
    if ch in "«»‹›":
        return "guillemet"
    if ch == '"' or text.startswith("''", i):
        return "straight"
    return "curly"


def _continues(text: str, newline: int, family: str) -> int | None:
    """If the paragraph after this newline opens with a mark of the family, the offset after that mark."""
    j = newline
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text):
        return None
    mark = _mark_at(text, j)
    if mark and _family(text, j) == family and (mark[0] in ("open", "either") or text[j] == "”"):
        return j + mark[1]
    return None


def double_quotations(text: str) -> list[Quotation]:
    """Spans of double quotation marks, pairing them left to right; never raises."""
    spans: list[Quotation] = []
    open_at: int | None = None
    family = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            if open_at is not None:
                resume = _continues(text, i, family)
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
        before = text[i - 1] if i else "\n"
        after = text[i + length] if i + length < n else "\n"
        if role == "either":
            if open_at is None:
                opens = before in _OPEN_CONTEXT or before in _OPENING or (not before.isalnum() and after.isalnum())
                role = "open" if opens else "close"
            else:
                role = "close"
        elif role == "close" and open_at is None and before in "\n " and after.isalnum():
            role = "open"  # a closing mark typed where an opening one belongs
        if role == "open":
            if open_at is not None and i > open_at:
                # An opening mark inside an open quote: the previous one never closed.
                spans.append(Quotation(open_at, i, False))
            open_at = i
            family = _family(text, i)
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


#: Reported content without quotation marks shorter than this is an object, not a statement.
MIN_INDIRECT_WORDS = 4
#: Cues in longer "sentences" are skipped: each cue's frame walks its sentence's subtrees, so a run-on
#: stretch with thousands of cues (hostile input: no punctuation, quote marks everywhere) would cost
#: quadratic time. News sentences stay far below this (under 100 tokens on PolNeAR's dev set).
MAX_CUE_SENTENCE_TOKENS = 250
#: How far from a quotation its cue is looked for: past any real sentence's length, so results don't
#: change, but bounded, so a run-on stretch with thousands of quotations is not scanned once per quotation.
CUE_SEARCH_TOKENS = 120
_WORD = re.compile(r"\w+")
#: A transcript turn: a paragraph opening with a name in capitals (one to three words) and a colon.
_TURN = re.compile(
    r"^[^\w\n]*(?P<name>[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+){0,2}):[ \t]+(?P<content>[^\n]*\w[^\n]*?)\s*$", re.M
)

_SUBJECTS = ("nsubj", "csubj")
_PASSIVE_SUBJECTS = ("nsubjpass", "csubjpass")
#: Dependencies through which a subject-less cue takes its head's subject ("reacted, saying ...").
_INHERIT = ("advcl", "xcomp", "conj", "acl", "pcomp", "relcl")
_RELATIVE = frozenset({"who", "that", "which", "whom"})
#: Children of a speaker's head that are not part of the speaker.
_NOT_SPEAKER = ("conj", "cc", "relcl", "acl", "advcl", "punct", "preconj", "prep")


#: Verbs that do not report: a quotation under them is what something is or has.
_NOT_REPORTING = frozenset({"be", "have", "become", "seem"})
#: A verb's complements that can hold reported words.
_COMPLEMENTS = ("dobj", "prep", "dative", "xcomp", "ccomp", "oprd", "attr", "acomp")


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB")


def subject_heads(verb: Token, depth: int = 3, quoted: Callable[[Token], bool] = lambda t: False) -> list[Token]:
    """Head tokens of the cue's speaker(s): the subject, the passive agent, or an inherited subject.

    A relative pronoun is kept as it stands ("Trump, who said ..."): the speaker resolver follows it to
    its antecedent. Subjects inside quotation marks are the speaker's words, not the speaker.
    """
    for child in verb.children:
        if child.dep_ in _SUBJECTS and not quoted(child):
            return [child]
    for child in verb.children:
        if child.dep_ == "agent":
            return [t for t in child.children if t.dep_ == "pobj" and not quoted(t)]
    if depth and verb.dep_ in _INHERIT and verb.head.i != verb.i:
        head = verb.head
        if _coordinated_with_report(verb):
            head = head.head  # "X said A and warned B": X warned, not A's subject
        if verb.dep_ == "relcl" and not _is_verb(head):
            return [head]
        if not _is_verb(head) and head.head.i != head.i:
            head = head.head  # "issued a statement saying ..."
        return subject_heads(head, depth - 1, quoted)
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
            if tok.pos_ in ("NOUN", "PROPN", "PRON") or tok.i == head.i:
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


def _clause_of(verb: Token) -> Token:
    """The clause a parenthetical cue interrupts: its head, or the nearest verb above a nominal head."""
    head = verb.head
    while not _is_verb(head) and head.head.i != head.i:
        head = head.head
    return head


def content_tokens(verb: Token, frames: frozenset[str], cues: Container[str] = frozenset()) -> list[Token]:
    """The tokens of what the cue reports, from its dependency frame; [] when it reports nothing."""
    children = list(verb.children)
    ccomp = [c for c in children if c.dep_ == "ccomp"]
    if "clause" in frames and ccomp:
        # The nearest complement: a second one across the cue is usually a misparsed neighbour clause.
        nearest = min(ccomp, key=lambda c: min(abs(t.i - verb.i) for t in (c.left_edge, c.right_edge)))
        return _subtrees([nearest, *_reasons_after(verb, nearest), *_coordinated_after(verb, nearest, cues)])
    if "xcomp" in frames:
        # "warned officials to act": what was urged, not whom.
        xcomp = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
        if xcomp and any(c.dep_ == "dobj" for c in children):
            return _subtrees(xcomp)
    if "name" in frames and any(c.dep_ == "oprd" for c in children):
        return _subtrees(c for c in children if c.dep_ in ("dobj", "oprd"))
    if "object" in frames:
        objects = [c for c in children if c.dep_ in ("dobj", "oprd")]
        if objects:
            return _subtrees(objects)
    for word in ("of", "as"):
        if word in frames:
            # "accused Russia of ...": the parser hangs "of" on the verb or on its object.
            holders = [verb, *(c for c in children if c.dep_ == "dobj")]
            preps = [c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == word]
            objects = [t for p in preps for t in p.children if t.dep_ in ("pobj", "pcomp")]
            if objects:
                if word == "as":  # "described the plan as a failure": the object and what it is called
                    objects = [c for c in children if c.dep_ == "dobj"] + preps
                return _subtrees(objects)
    if "clause" in frames and _as_clause(verb):
        # "As the mayor noted, the bridge is old": the clause the "as" phrase hangs on is the report.
        own = {t.i for t in verb.subtree}
        return [t for t in _clause_of(verb).subtree if t.i not in own]
    if "clause" in frames and verb.dep_ == "parataxis" and verb.head.i != verb.i:
        # "Nothing, he said, will change": the cue interrupts the clause it reports.
        own = {t.i for t in verb.subtree}
        clause = [t for t in _clause_of(verb).subtree if t.i not in own]
        after = [t for t in clause if t.i > verb.i and not t.is_space]
        # `Asked about X, he said, "We ...`: a quotation opening its own sentence is all the report.
        return after if after and _opens_new_sentence(after) else clause
    if "clause" in frames and verb.dep_ in ("ROOT", "conj"):
        # `He said: "..."` and "He said the plan would fail" parsed without a ccomp.
        objects = [c for c in children if c.dep_ == "dobj" and c.i > verb.i and verb.lemma_ != "tell"]
        if objects and any(_is_verb(t) for t in _subtrees(objects)):
            return _subtrees(objects)
    return []


#: The most words a cue phrase interrupting its clause may hold on either side of the cue
#: (", the city's longtime mayor said on Monday,").
_INTERRUPTION_WORDS = 8
#: Words opening the rest of a sentence after ", he said," that make it a new clause, not the rest
#: of the reported one: a second report (", adding ..."), a relative clause, a coordinated one.
_NOT_CONTINUING = frozenset({"which", "who", "whose", "where", "when", "and", "but", "while", "as", "according"})


#: Dependents of a cue that may stand in its phrase between the commas (", he said Monday in a
#: statement,"); anything else there (an object, a clause) means the cue is not an interruption.
_CUE_PHRASE = frozenset({"npadvmod", "advmod", "prep", "pobj", "det", "compound", "amod", "nummod", "poss", "case"})


def _phrase_only(doc: Doc, start: int, end: int, verb: Token) -> bool:
    """Tokens start..end (exclusive) are the cue's adverbials (time, place, manner), nothing else."""
    return end - start <= _INTERRUPTION_WORDS and all(
        doc[j].dep_ in _CUE_PHRASE and verb in doc[j].ancestors for j in range(start, end)
    )


def _second_report(tok: Token) -> bool:
    """ ", he said, adding ...": a participle opening the rest of the sentence, unless it is the
    subject of that rest (", he said, replacing her would be hard")."""
    return tok.tag_ == "VBG" and tok.dep_ not in ("csubj", "csubjpass", "nsubj", "nsubjpass")


def _opens_new_sentence(after: Sequence[Token]) -> bool:
    """`..., he said, "We ...`: a quotation opening with a capital starts the speaker's own sentence;
    `..., he said, "we were ...` goes on with the clause before the cue."""
    if not after[0].is_quote:
        return False
    words = [t for t in after[1:] if not t.is_punct]
    return not words or not words[0].text[:1].islower()


def interrupted_clause(verb: Token, heads: Sequence[Token]) -> list[Token]:
    """ "Nothing, the mayor said on Monday, will change": a cue phrase set off by commas in the middle
    of its sentence reports the whole sentence around it, whichever way the parser attached it."""
    if not heads or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return []
    doc = verb.doc
    sent = verb.sent
    subject = heads[0]
    if subject.sent != sent or subject.left_edge.i > verb.i + _INTERRUPTION_WORDS:
        return []
    first = min(subject.left_edge.i, verb.i)
    last = max(subject.right_edge.i, verb.i)
    left = first - 1
    right = next((j for j in range(last + 1, sent.end) if doc[j].is_punct), sent.end)
    if left <= sent.start or doc[left].text != "," or right >= sent.end or doc[right].text != ",":
        return []
    if not _phrase_only(doc, last + 1, right, verb):
        return []
    before = [t for t in doc[sent.start : left] if not t.is_punct and not t.is_space]
    after = [t for t in doc[right + 1 : sent.end] if not t.is_space]
    if not before or before[-1].lower_ in _RELATIVE or len(after) < 3:
        return []
    if _opens_new_sentence(after) or after[0].lower_ in _NOT_CONTINUING or _second_report(after[0]):
        return []
    return [t for t in sent if t.i < left or t.i > right]


def appositive_speaker(verb: Token, heads: Sequence[Token]) -> list[Token]:
    """ "To read the report, Jane Doe said, ...": the parser made the name right before the cue an
    apposition of the noun ending the clause, and that noun the cue's subject. The name is the speaker."""
    if not heads:
        return []
    names = [c for c in heads[0].children if c.dep_ == "appos" and c.right_edge.i == verb.i - 1]
    if not names or names[0].pos_ != "PROPN" or verb.doc[names[0].left_edge.i - 1].text != ",":
        return []
    return names[:1]


def trailing_clause(verb: Token, heads: Sequence[Token]) -> list[Token]:
    """ "A, but B, the source added.": a cue phrase closing its sentence after a comma reports all of
    the sentence before it, though the parser hung the cue on A and gave it only B."""
    if not heads or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return []
    ccomp = [c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i]
    if not ccomp:
        return []
    doc = verb.doc
    sent = verb.sent
    subject = heads[0]
    if subject.sent != sent:
        return []
    first = min(subject.left_edge.i, verb.i)
    last = max(subject.right_edge.i, verb.i)
    left = first - 1
    if left <= sent.start or doc[left].text != "," or ccomp[0].right_edge.i >= left:
        return []
    end = next((j for j in range(last + 1, sent.end) if doc[j].is_punct or doc[j].is_space), sent.end)
    if any(not (t.is_punct or t.is_space) for t in doc[end : sent.end]) or not _phrase_only(doc, last + 1, end, verb):
        return []
    if ccomp[0].left_edge.i <= sent.start:
        return []
    return [t for t in doc[sent.start : left]]


def _as_clause(verb: Token) -> bool:
    """ "as experts have pointed out": an "as" clause of a cue with no complement of its own."""
    if verb.head.i == verb.i or not any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
        return False
    return not any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in verb.children)


#: Subordinators whose clause after a report gives the speaker's reason, not the circumstances of
#: the saying: the parser hangs "said the plan failed because ..." on the cue.
_REASON_MARKS = frozenset({"because"})


def _reasons_after(verb: Token, content: Token) -> list[Token]:
    """Adverbial clauses of the cue right after its reported clause that belong to the report."""
    end = content.right_edge.i
    return [
        c
        for c in verb.children
        if c.dep_ == "advcl"
        and c.left_edge.i > end
        and c.left_edge.lower_ in _REASON_MARKS
        and all(t.is_punct for t in verb.doc[end + 1 : c.left_edge.i])
    ]


def _coordinated_after(verb: Token, content: Token, cues: Container[str]) -> list[Token]:
    """`says A, but "B"`: a clause the parser coordinated with the cue right after its complement."""
    end = content.right_edge.i
    doc = verb.doc
    out = []
    for c in verb.children:
        if c.dep_ != "conj" or c.i < end or not any(s.dep_ in _SUBJECTS for s in c.children):
            continue
        between = doc[end + 1 : c.left_edge.i]
        if not all(t.is_punct or t.dep_ == "cc" for t in between):
            continue
        if _holds_report(c, cues) or not any(t.is_quote for t in c.subtree):
            continue  # only the speaker's quoted words tell the clause is theirs, not the writer's
        out.append(c)
    return out


#: Dependencies a pro-form content stands in under its cue ("said so", "said no", "said the same").
_PROFORM_DEPS = ("dobj", "advmod", "npadvmod", "intj", "acomp", "attr", "oprd", "ccomp")


def proform_content(verb: Token, proforms: Container[str]) -> list[Token]:
    """ "Half said so", "said as much": a pro-form standing for what was said, after the cue."""
    for child in verb.children:
        if child.i < verb.i or child.dep_ not in _PROFORM_DEPS or child.lower_ not in proforms:
            continue
        if child.lower_ == "much" and not any(c.lower_ == "as" for c in child.children):
            continue
        # "the same of Trump" keeps its "of"; "as much in an interview" drops the circumstances.
        kept = [c for c in child.children if c.i < child.i or (c.dep_ == "prep" and c.lower_ == "of")]
        return sorted([child, *_subtrees(kept)], key=lambda t: t.i)
    return []


def is_proform(tokens: Sequence[Token], proforms: Container[str]) -> bool:
    words = [t for t in tokens if not t.is_punct and t.lower_ not in ("the", "as")]
    return bool(words) and words[0].lower_ in proforms


def noun_content(noun: Token) -> list[Token]:
    """ "his claim that the vote was rigged": the that-clause of a cue noun."""
    clauses = [c for c in noun.children if c.dep_ in ("acl", "ccomp") and any(t.dep_ == "mark" for t in c.children)]
    return _subtrees(clauses)


def _aside_start(tok: Token, cues: Container[str]) -> int | None:
    """Where a trailing aside rooted at tok starts (its comma), or None when tok is not one.

    Asides are the writer's, not the speaker's: ", which ..." and ", the ..." glosses, and a second
    report (", arguing that ...").
    """
    doc = tok.doc
    start = tok.left_edge.i
    # ", which ...": the parser calls it a relative or an adverbial clause.
    # ", which ..." stays with the speaker's words (gold keeps it more often than not) unless it
    # holds a report of its own (", which critics said ...").
    relative = tok.dep_ in ("relcl", "advcl") and (
        doc[start].lower_ in ("who", "whose", "where") or (doc[start].lower_ == "which" and _holds_report(tok, cues))
    )
    report = tok.dep_ == "advcl" and tok.tag_ == "VBG" and tok.lemma_.lower() in cues
    if relative or report or tok.dep_ == "appos":
        comma = start - 1
    elif _same_speaker_report(tok, cues):
        # "said the plan would fail and warned against ...": the speaker's next act, not their words.
        cc = start - 1
        if cc < 0 or doc[cc].dep_ != "cc":
            return None
        return cc - 1 if cc > 0 and doc[cc - 1].text == "," else cc
    elif _another_report(tok, cues):
        # "A, and most voters said B": the second report is a quote of its own.
        comma = start - 1
        if comma >= 0 and doc[comma].dep_ == "cc":
            return comma - 1 if comma > 0 and doc[comma - 1].text == "," else comma
        return None
    else:
        return None
    return comma if comma >= 0 and doc[comma].text in (",", ";", "—", "--") else None


def _holds_report(tok: Token, cues: Container[str]) -> bool:
    """A clause with a cue of its own that has a subject ("which officials said ...")."""
    return any(
        t.lemma_.lower() in cues and _is_verb(t) and any(c.dep_ in _SUBJECTS for c in t.children) for t in tok.subtree
    )


def _another_report(tok: Token, cues: Container[str]) -> bool:
    """A coordinated clause that is a report with its own speaker ("... and officials said ...")."""
    if tok.dep_ != "conj" or not _is_verb(tok):
        return False
    if any(c.dep_ == "mark" for c in tok.children):
        return False  # "said A and that the panel would continue ...": a second complement, not a report
    return tok.lemma_.lower() in cues and any(c.dep_ in _SUBJECTS for c in tok.children)


def _coordinated_with_report(verb: Token) -> bool:
    """A finite verb without a subject that the parser coordinated with a cue's reported clause
    ("said the plan would fail and warned ..."): it shares the cue's subject, not the clause's."""
    if verb.dep_ != "conj" or verb.tag_ not in ("VBD", "VBZ") or verb.head.dep_ != "ccomp":
        return False
    return not any(c.dep_ in _SUBJECTS or c.dep_ in _PASSIVE_SUBJECTS for c in verb.children)


def _same_speaker_report(tok: Token, cues: Container[str]) -> bool:
    """A cue coordinated into the content that is the speaker's next act ("... and warned ...")."""
    return tok.lemma_.lower() in cues and _coordinated_with_report(tok)


def drop_asides(tokens: Sequence[Token], cues: Container[str] = frozenset()) -> list[Token]:
    """Reported content without trailing asides."""
    ordered = sorted(tokens, key=lambda t: t.i)
    if not ordered:
        return ordered
    present = {t.i for t in ordered}
    last = ordered[-1].i
    cut = None
    for tok in ordered:
        if tok.right_edge.i < last or tok.i == ordered[0].i:
            continue
        comma = _aside_start(tok, cues)
        if comma is not None and comma in present and comma > ordered[0].i and (cut is None or comma < cut):
            cut = comma
    return [t for t in ordered if t.i < cut] if cut is not None else ordered


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def main_fragments(fragments: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """The fragments a quote's one span should cover: all of them, unless the narration between them
    outweighs them (`"A," said Jane Doe, a lawyer who ... for years. "B."`); then only the largest,
    which alone carries more of the speaker's words than the whole span does."""
    if len(fragments) < 2:
        return fragments
    spoken = sum(_alnum(text[s:e]) for s, e in fragments)
    whole = _alnum(text[fragments[0][0] : fragments[-1][1]])
    largest = max(fragments, key=lambda f: _alnum(text[f[0] : f[1]]))
    if spoken * spoken >= _alnum(text[largest[0] : largest[1]]) * whole:
        return fragments
    return [largest]


def runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Contiguous runs of tokens: a clause interrupted by its cue comes in two pieces."""
    out: list[list[Token]] = []
    for tok in sorted(tokens, key=lambda t: t.i):
        if out and tok.i == out[-1][-1].i + 1:
            out[-1].append(tok)
        else:
            out.append([tok])
    return out


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
        self.proforms = lexicons.words("proforms.txt")
        #: Content spans of transcript turns ("SMITH: ...").
        self.turns: list[tuple[int, int]] = []

    # -- helpers --------------------------------------------------------------------------------

    def inside_quotation(self, start: int, end: int) -> Quotation | None:
        k = bisect.bisect_right(self.q_starts, start) - 1
        if k >= 0 and self.quotations[k].start <= start and end <= self.quotations[k].end:
            return self.quotations[k]
        return None

    def in_turn(self, i: int) -> bool:
        return any(s <= i < e for s, e in self.turns)

    def quoted(self, tok: Token) -> bool:
        return self.inside_quotation(tok.idx, tok.idx + len(tok.text)) is not None

    def overlapping(self, start: int, end: int) -> list[Quotation]:
        return [q for q in self.quotations if q.start < end and start < q.end]

    def paragraph_of(self, i: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, i) + 1
        end = self.text.find("\n", i)
        return start, len(self.text) if end < 0 else end

    # -- pass 1: cues --------------------------------------------------------------------------

    def from_cues(self) -> None:
        for tok in self.doc:
            if self.inside_quotation(tok.idx, tok.idx + len(tok.text)) or self.in_turn(tok.idx):
                continue  # the speaker's own words: nested reports are not the article's quotes
            if tok.lower_ == "according":
                self.add_according(tok)
                continue
            frames = self.cues.get(tok.lemma_.lower())
            if frames is None or len(tok.sent) > MAX_CUE_SENTENCE_TOKENS:
                continue
            if "noun" in frames and tok.pos_ == "NOUN":
                content = noun_content(tok)
                heads = [c for c in tok.children if c.dep_ == "poss"]
            elif _is_verb(tok):
                heads = subject_heads(tok, quoted=self.quoted)
                content = []
                if "clause" in frames:
                    content = interrupted_clause(tok, heads) or trailing_clause(tok, heads)
                    if not content and (named := appositive_speaker(tok, heads)):
                        content = interrupted_clause(tok, named)
                        heads = named if content else heads
                content = content or content_tokens(tok, frames, self.cues)
                if not content and "clause" in frames:
                    content = proform_content(tok, self.proforms)
            else:
                continue
            if content:
                self.add(content, tok, self.speakers(heads, tok))

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
        head = _clause_of(tok)
        content = [t for t in head.subtree if t.i not in phrase]
        self.add(content, tok, self.speakers(sources, tok))

    def lost_subject(self, cue: Token) -> list[Token]:
        """A finite cue whose subject the parser attached elsewhere: the nominal right before it.

        ("... accuses Russia of\nFrench President Macron accuses Russia of ...": a cut headline swallows
        the second subject.) Only in the cue's paragraph, and never a word inside quotation marks.
        """
        if cue.tag_ not in ("VBZ", "VBD", "VBP") or cue.i == 0:
            return []
        prev = self.doc[cue.i - 1]
        while prev.pos_ == "ADV" and prev.i > 0:
            prev = self.doc[prev.i - 1]
        if prev.pos_ not in ("PROPN", "NOUN", "PRON") or self.quoted(prev) or prev.is_space:
            return []
        if self.paragraph_of(prev.idx) != self.paragraph_of(cue.idx):
            return []
        return [prev]

    def in_paragraph(self, tokens: Iterable[Token], anchor: int) -> list[Token]:
        """The tokens in the anchor's paragraph: the parser sometimes runs a headline into the body."""
        start, end = self.paragraph_of(anchor)
        return [t for t in tokens if start <= t.idx < end]

    def drop_quoted_safe(self, content: Sequence[Token]) -> list[Token]:
        """Drop a trailing aside unless it is inside quotation marks (then it is the speaker's)."""
        kept = drop_asides(content, self.cues)
        if len(kept) < len(content) and kept:
            cut = kept[-1].idx + len(kept[-1].text)
            if self.overlapping(cut, cut + 2):
                return list(content)
        return kept or list(content)

    def speakers(self, heads: Sequence[Token], cue: Token) -> list[tuple[int, int]]:
        if not heads:
            heads = self.lost_subject(cue)
        spans = speaker_spans(heads)
        start, end = self.paragraph_of(cue.idx)
        return [(max(s, start), min(e, end)) for s, e in spans if s < end and start < e]

    def add(self, content: Sequence[Token], cue: Token | None, speakers: list[tuple[int, int]]) -> Candidate | None:
        """A candidate from content tokens: in the cue's paragraph, stretched to the quotations it touches."""
        if cue is not None:
            content = self.in_paragraph(content, cue.idx)
        content = self.drop_quoted_safe(content)
        fragments = [span for run in runs(content) if (span := _trim(run)) is not None]
        return self.add_fragments(fragments, cue, speakers)

    def add_fragments(
        self, fragments: list[tuple[int, int]], cue: Token | None, speakers: list[tuple[int, int]]
    ) -> Candidate | None:
        # The parser cuts long quotes at sentence ends: a fragment takes the whole quotation it touches.
        quoted: list[tuple[int, int]] = []
        stretched: list[tuple[int, int]] = []
        for start, end in fragments:
            for q in self.overlapping(start, end):
                start, end = min(start, q.start), max(end, q.end)
                if (q.start, q.end) not in quoted:
                    quoted.append((q.start, q.end))
            if stretched and start <= stretched[-1][1]:
                stretched[-1] = (stretched[-1][0], max(end, stretched[-1][1]))
            else:
                stretched.append((start, end))
        stretched = [f for f in stretched if any(ch.isalnum() for ch in self.text[f[0] : f[1]])]
        if not stretched:
            return None
        if cue is not None and not quoted and any(s <= cue.idx < e for s, e in stretched):
            return None
        candidate = Candidate(stretched, cue, speakers, quoted)
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
                # `"A," she said. "Short."`: a short quotation opening the next sentence still continues A.
                if not self.attach_to_previous(q, next_sentence_only=True):
                    self.quoted_object(q)
                continue
            if self.attach_to_previous(q):
                continue
            cue = self.nearby_cue(q)
            if cue is not None and self.join_same_cue(q, cue):
                continue
            if cue is not None:
                speakers = self.speakers(subject_heads(cue, quoted=self.quoted), cue)
                self.add_fragments([self.reported_around(q, cue)], cue, speakers)
                continue
            if self.dash_source(q):
                continue
            if self.quoted_object(q):
                continue
            self.floating(q)

    def governing_verb(self, q: Quotation) -> Token | None:
        """The verb a quotation hangs from, climbing through the nouns and prepositions holding it."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            return None
        tok = span.root
        while not _is_verb(tok) and tok.head.i != tok.i:
            tok = tok.head
        if not _is_verb(tok) or self.quoted(tok) or tok.lemma_ in _NOT_REPORTING:
            return None
        return tok

    def quoted_object(self, q: Quotation) -> bool:
        """`blasted the media for being "dishonest"`, `proclaimed a goal of "peace through strength"`: a
        short quotation inside a verb's complements makes them the subject's reported words."""
        verb = self.governing_verb(q)
        if verb is None or verb.idx > q.start or verb.lemma_.lower() not in self.cues:
            return False
        if any(c.cue is not None and c.cue.i == verb.i and c.start >= q.end for c in self.candidates):
            return False  # `told "Morning Show" that ...`: between the cue and its report, a name
        heads = subject_heads(verb, quoted=self.quoted)
        if not heads or heads[0].pos_ not in ("PROPN", "PRON", "NOUN"):
            return False
        content = _subtrees(c for c in verb.children if c.i > verb.i and c.dep_ in _COMPLEMENTS)
        if not any(q.start <= t.idx < q.end for t in content):
            return False
        return self.add(content, verb, self.speakers(heads, verb)) is not None

    def previous_candidate(self, before: int) -> Candidate | None:
        previous = [c for c in self.candidates if c.end <= before]
        return max(previous, key=lambda c: c.end) if previous else None

    def extend(self, candidate: Candidate, q: Quotation) -> None:
        candidate.fragments.append((q.start, q.end))
        candidate.quoted.append((q.start, q.end))

    def reported_around(self, q: Quotation, cue: Token) -> tuple[int, int]:
        """A quoted fragment after its cue, mid-sentence, is part of what the cue reports: the rest of the
        sentence ("urged the council to "act now" and consider sanctions"). A quote that opens its
        sentence stands alone."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None or cue.i > span.start or span.start == span[0].sent.start:
            return q.start, q.end
        if self.text[q.start + 1 : q.start + 2].isupper() or self.doc[span.start - 1].text in (":", ","):
            return q.start, q.end  # `said: "We ..."`, `said, "We ...": a quote of its own
        sent = span[0].sent
        tokens = [t for t in self.doc[cue.i + 1 : sent.end] if not self.cue_object(t, cue)]
        tokens = self.drop_quoted_safe(self.in_paragraph(tokens, cue.idx))
        trimmed = _trim(tokens)
        if trimmed is None or trimmed[0] > q.start:
            return q.start, q.end
        return trimmed[0], max(trimmed[1], q.end)

    @staticmethod
    def cue_object(tok: Token, cue: Token) -> bool:
        """Words of the cue's own phrase (its particle or addressee), not of the report."""
        return tok.head.i == cue.i and tok.dep_ in ("prt", "dative", "advmod", "npadvmod", "punct")

    def join_same_cue(self, q: Quotation, cue: Token) -> bool:
        """`"A," he said, "B."` where the parser gave the cue only B: A joins B's quote."""
        for c in self.candidates:
            if c.cue is not None and c.cue.i == cue.i and c.quoted:
                if self.paragraph_of(c.start) != self.paragraph_of(q.start):
                    return False
                c.fragments = sorted([*c.fragments, (q.start, q.end)])
                c.quoted.append((q.start, q.end))
                return True
        return False

    def attach_to_previous(self, q: Quotation, next_sentence_only: bool = False) -> bool:
        """`"A," he said. "B."` and `"A," he said, "B."`: B continues A when only the cue stands between."""
        # The latest quote before B: a report the cue's sentence goes on with (", emphasizing why ...")
        # stands between them in the text, not in the quote.
        quoted = [c for c in self.candidates if c.end <= q.start and c.quoted and c.cue is not None]
        previous = max(quoted, key=lambda c: c.end) if quoted else None
        if previous is None or previous.cue is None:
            return False
        cue = previous.cue
        if cue.idx > q.start or self.paragraph_of(cue.idx) != self.paragraph_of(q.start):
            return False
        if cue.idx < previous.start:
            return False  # `He said: "A." "B."`: B needs a cue of its own
        sent_end = cue.sent.end_char
        if q.start >= sent_end and any(ch.isalnum() for ch in self.text[sent_end : q.start]):
            return False
        if next_sentence_only and q.start < sent_end:
            return False
        self.extend(previous, q)
        return True

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
        before = self.text[: q.start].rstrip()
        if before.endswith(":") and "\n" in self.text[len(before) : q.start]:
            # "He said:" closing one paragraph, the quote opening the next.
            para_start = self.paragraph_of(len(before) - 1)[0]
            colon = self.doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
            if colon is not None:
                lo = min(lo, colon[0].sent.start)
        if hi < len(self.doc):
            following = self.doc[hi].sent
            if len(following) <= 12 and not self.overlapping(following.start_char, following.end_char):
                hi = following.end  # `"...?"` | `Graham asked.`: the parser split the cue off
        lo, hi = max(lo, first.i - CUE_SEARCH_TOKENS), min(hi, last.i + 1 + CUE_SEARCH_TOKENS)
        best: tuple[int, Token] | None = None
        for tok in self.doc[lo:hi]:
            if tok.idx < para_start or tok.idx >= para_end:
                continue
            if self.inside_quotation(tok.idx, tok.idx + len(tok.text)):
                continue
            frames = self.cues.get(tok.lemma_.lower())
            if frames is None or not _is_verb(tok) or "clause" not in frames:
                continue
            if not subject_heads(tok, quoted=self.quoted) and not self.lost_subject(tok):
                continue
            distance = min(abs(tok.i - first.i), abs(tok.i - last.i))
            if best is None or distance < best[0]:
                best = (distance, tok)
        return best[1] if best else None

    def dash_source(self, q: Quotation) -> bool:
        """`"..." ― Jane Doe`: a quotation signed with a dash and a name, alone on the rest of its line."""
        line_end = self.text.find("\n", q.end)
        line_end = len(self.text) if line_end < 0 else line_end
        rest = self.text[q.end : line_end]
        stripped = rest.lstrip()
        if not stripped or stripped[0] not in "―—–-":
            return False
        dash = q.end + len(rest) - len(stripped)
        name_start = dash + 1
        while name_start < line_end and not self.text[name_start].isalnum():
            name_start += 1
        name_end = line_end
        while name_end > name_start and not self.text[name_end - 1].isalnum():
            name_end -= 1
        name = self.text[name_start:name_end]
        if not name or len(name.split()) > 6 or not name[0].isupper():
            return False
        cue = self.doc.char_span(dash, dash + 1, alignment_mode="expand")
        if cue is None:
            return False
        self.candidates.append(Candidate([(q.start, q.end)], cue[0], [(name_start, name_end)], [(q.start, q.end)]))
        return True

    def floating(self, q: Quotation) -> None:
        """A paragraph that is only a quote continues the quote of the paragraph just before it."""
        para_start, para_end = self.paragraph_of(q.start)
        rest = self.text[para_start : q.start] + self.text[q.end : para_end]
        if any(ch.isalnum() for ch in rest):
            return
        previous = self.previous_candidate(q.start)
        if previous is None or not previous.speakers or not previous.quoted:
            return
        # Only right after that quote's paragraph: further on, the text no longer supports it.
        between = self.text[previous.end : para_start]
        tail, _, gap = between.partition("\n")
        if not _ or gap.strip() or len(tail) > 200 or self.overlapping(previous.end, para_start):
            return
        self.extend(previous, q)

    # -- results -------------------------------------------------------------------------------

    def kind(self, candidate: Candidate) -> QuoteKind:
        if not candidate.quoted:
            return "indirect"
        for start, end in candidate.fragments:
            # Blank out the quoted stretches; any letter or digit left is narration: mixed.
            chars = list(self.text[start:end])
            for s, e in candidate.quoted:
                lo, hi = max(s, start), min(e, end)
                if lo < hi:
                    chars[lo - start : hi - start] = " " * (hi - lo)
            if any(c.isalnum() for c in chars):
                return "mixed"
        return "direct"

    def worth_reporting(self, c: Candidate) -> bool:
        """Unquoted content needs a speaker and a few words: "slammed Trump" is not a quote."""
        if c.quoted:
            return True
        if not c.speakers:
            return False
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is not None and is_proform(span, self.proforms):
            return True  # "said so": the pro-form is the report
        return len(_WORD.findall(self.text[c.start : c.end])) >= MIN_INDIRECT_WORDS

    def nested(self, c: Candidate, kept: Sequence[Candidate]) -> bool:
        """A report inside another report's content ("X said Bloomberg reports that ..."): the outer
        report is the article's quote; the inner one is part of what was said."""
        if c.cue is None:
            return False
        for o in kept:
            if o is c or o.end - o.start <= c.end - c.start:
                continue
            # Inside one fragment: the narration between two fragments of a quote is not its content.
            if any(s <= c.cue.idx < e and s <= c.start and c.end <= e for s, e in o.fragments):
                return True
        return False

    def sentence_index(self, starts: list[int], char: int) -> int:
        return max(bisect.bisect_right(starts, char) - 1, 0)

    def from_transcript(self) -> None:
        """Interview transcripts: a paragraph opening with a speaker's name in capitals and a colon
        ("SMITH: Well, look, ...") is that speaker's turn. The name must also stand in the text as a
        name, which sets speakers apart from headers ("UPDATE:")."""
        for match in _TURN.finditer(self.text):
            name_start, name_end = match.span("name")
            if not re.search(rf"\b{re.escape(match['name'].title())}\b", self.text):
                continue
            colon = self.doc.char_span(name_end, name_end + 1, alignment_mode="expand")
            content_start, content_end = match.span("content")
            if colon is None:
                continue
            candidate = Candidate([(content_start, content_end)], colon[0], [(name_start, name_end)])
            candidate.quoted = [(q.start, q.end) for q in self.overlapping(content_start, content_end)]
            self.candidates.append(candidate)
            self.turns.append((content_start, content_end))

    def quotes(self) -> list[Quote]:
        self.from_transcript()
        self.from_cues()
        self.from_quotations()
        sentence_starts = [s.start_char for s in self.doc.sents]
        quotes = []
        kept = [c for c in self.candidates if self.worth_reporting(c)]
        kept = [c for c in kept if not self.nested(c, kept)]
        for c in sorted(kept, key=lambda c: (c.start, c.end)):
            c.fragments = main_fragments(c.fragments, self.text)
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
    return QuoteFinder(doc, cues if cues is not None else lexicons.cues()).quotes()


@Language.factory("streams_quotes")
def make_quotes(nlp: Language, name: str) -> QuoteExtractor:
    return QuoteExtractor()


class QuoteExtractor:
    def __init__(self, cues: dict[str, frozenset[str]] | None = None) -> None:
        self.cues = cues if cues is not None else lexicons.cues()

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.quotes = extract_quotes(doc, self.cues)
        except Exception:  # a stream must never lose an article to one odd text: log it, keep going
            logger.exception("quote extraction failed on a %d-character text", len(doc.text))
            doc._.quotes = []
        return doc
