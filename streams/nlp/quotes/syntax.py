"""Small facts about spaCy's parse that every quote module reads."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Sequence

from spacy.tokens import Span, Token

SUBJECTS = ("nsubj", "csubj")
PASSIVE_SUBJECTS = ("nsubjpass", "csubjpass")
#: Dependencies through which a subject-less cue takes its head's subject ("reacted, saying ...").
INHERIT = ("advcl", "xcomp", "conj", "acl", "pcomp", "relcl")
RELATIVE = frozenset({"who", "that", "which", "whom"})
#: Children of a speaker's head that are not part of the speaker.
NOT_SPEAKER = ("conj", "cc", "relcl", "acl", "advcl", "punct", "preconj", "prep")


#: Verbs that do not report: a quotation under them is what something is or has.
NOT_REPORTING = frozenset({"be", "have", "become", "seem"})
#: A verb's complements that can hold reported words.
COMPLEMENTS = ("dobj", "prep", "dative", "xcomp", "ccomp", "oprd", "attr", "acomp")


def is_subject(tok: Token) -> bool:
    return tok.dep_ in SUBJECTS or tok.dep_ in PASSIVE_SUBJECTS


def has_subject(tok: Token) -> bool:
    """A subject of its own, active or passive, among tok's children."""
    return any(is_subject(c) for c in tok.children)


def is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB")


def subtrees(tokens: Iterable[Token]) -> list[Token]:
    out: dict[int, Token] = {}
    for tok in tokens:
        for t in tok.subtree:
            out[t.i] = t
    return [out[i] for i in sorted(out)]


def clause_of(verb: Token) -> Token:
    """The clause a parenthetical cue interrupts: its head, or the nearest verb above a nominal head."""
    head = verb.head
    while not is_verb(head) and head.head.i != head.i:
        head = head.head
    return head


def holds_report(tok: Token, cues: Container[str]) -> bool:
    """A clause with a cue of its own that has a subject ("which officials said ...")."""
    return any(
        t.lemma_.lower() in cues and is_verb(t) and any(c.dep_ in SUBJECTS for c in t.children) for t in tok.subtree
    )


def coordinated_with_report(verb: Token) -> bool:
    """A finite verb without a subject that the parser coordinated with a cue's reported clause
    ("said the plan would fail and warned ..."): it shares the cue's subject, not the clause's."""
    if verb.dep_ != "conj" or verb.head.dep_ != "ccomp":
        return False
    if has_subject(verb):
        return False
    if verb.tag_ in ("VBD", "VBZ"):
        return True
    # "Officials believe the governor has failed and warn that ...": a present plural or bare verb
    # that neither shares the clause's auxiliary (no modal, "to" or "do" there) nor agrees with its
    # singular subject goes with the cue's subject.
    if verb.tag_ not in ("VBP", "VB") or any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return False  # "... and did not find", "... and would continue": a clause of its own
    joined = any(c.dep_ == "cc" and c.lower_ in ("and", "but") and c.i < verb.i for c in verb.head.children)
    return joined and _plain_finite(verb.head) and _singular_subject(verb.head)


def _plain_finite(clause: Token) -> bool:
    """A clause whose auxiliaries a coordinated bare verb could not share (no modal, "to" or "do")."""
    return not any(c.dep_ == "aux" and (c.tag_ in ("MD", "TO") or c.lemma_.lower() == "do") for c in clause.children)


def _singular_subject(clause: Token) -> bool:
    return any(c.dep_ in SUBJECTS and c.tag_ in ("NN", "NNP") for c in clause.children)


#: Dashes that close a dateline ("OTTAWA -", "LONDON (Reuters) --").
DATELINE_DASHES = frozenset({"-", "--", "—", "–"})
#: The most tokens a dateline runs to before its dash ("ST. JOHN'S, N.L. (CP) —").
_DATELINE_TOKENS = 10


def dateline_dash(tokens: Sequence[Token]) -> Token | None:
    """The dash closing a dateline that opens these tokens ("TORONTO —", "WASHINGTON (AP) —"), if one does:
    the parser runs a dateline into the first clause of the story, its subject's phrase or its report."""
    first = min(t.i for t in tokens)
    doc = tokens[0].doc
    if not doc[first].is_upper:
        return None  # a dateline opens on a place in capitals
    last = max(t.i for t in tokens)
    for dash in doc[first + 1 : min(last, first + _DATELINE_TOKENS) + 1]:
        if dash.text in DATELINE_DASHES and dash.whitespace_ and _is_dateline(doc[first : dash.i]):
            return dash
    return None


def _is_dateline(span: Span) -> bool:
    """Capitals only, outside an agency's parentheses: "OTTAWA", "ST. JOHN'S, N.L.", "LONDON (Reuters)"."""
    text = re.sub(r"\([^)]*\)", "", span.text)
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)
