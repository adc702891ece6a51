"""Constructions over the whole article before any cue: transcript turns (`SMITH: ...`) and interview
answers (`Q: ...` / `A: ...`), whose content is no cue's."""

from __future__ import annotations

import bisect
import re
from collections import Counter

from streams.nlp import lexicons
from streams.nlp.quotes.candidates import Article, Candidate, CharSpan

_WORD = re.compile(r"\w+")


#: A transcript turn opens a line with a name in capitals (one to three words) and a colon. Possessive
#: quantifiers: a long run of capitals or spaces is read once, never backtracked into (issue 11).
_TURN_NAME = re.compile(r"^[^\w\n]*+(?P<name>[A-Z][A-Z'.-]++(?: [A-Z][A-Z'.-]++){0,2}):", re.M)


#: An interview's answer: a line opening with "A:" (or "A." / "A -"), after a question line "Q:".
_ANSWER = re.compile(r"^[ \t]*+(?P<role>[QA])(?::|\.|[ \t]+[-–—])[ \t]++(?=\S)", re.M)


def transcript_turns(article: Article) -> None:
    """Interview transcripts: a line opening with a speaker's name in capitals and a colon
    ("SMITH: Well, look, ...") is that speaker's turn. The name must also stand in the text as a
    name, which sets speakers apart from headers ("UPDATE:")."""
    text = article.text
    words = set(_WORD.findall(text))
    for match in _TURN_NAME.finditer(text):
        name_start, name_end = match.span("name")
        colon_end = match.end()
        if colon_end >= len(text) or text[colon_end] not in " \t":
            continue
        line_end = article.paragraph_of(colon_end)[1]
        line = text[colon_end:line_end]
        content_start = colon_end + len(line) - len(line.lstrip(" \t"))
        content_end = colon_end + len(line.rstrip())
        if not _WORD.search(text, content_start, content_end):
            continue
        if not all(word in words for word in _WORD.findall(match["name"].title())):
            continue
        colon = article.span(name_end, name_end + 1)
        if colon is None:
            continue
        quoted = [(q.start, q.end) for q in article.marks.overlapping(content_start, content_end)]
        article.add(
            Candidate([(content_start, content_end)], colon[0], [(name_start, name_end)], quoted, verbatim=True)
        )
        article.turns.append((content_start, content_end))


def questions_and_answers(article: Article) -> None:
    """An interview set as `Q: ...` / `A: ...`: each answer is a quote by the person interviewed, the
    last person the article named before the first question (unattributed when there is none)."""
    text = article.text
    asked = False
    speaker: CharSpan | None = None  # the same interviewee for every answer: looked for once
    for match in _ANSWER.finditer(text):
        if match["role"] == "Q":
            if not asked:
                speaker = _person_named_before(article, match.start())
            asked = True
            continue
        if not asked:
            continue  # an "A." opening a line is a sentence's article, unless a question came first
        start = match.end()
        end = start + len(text[start : article.paragraph_of(start)[1]].rstrip())
        role = article.span(match.start("role"), match.end("role"))
        if role is None or not article.letters.any(start, end):
            continue
        quoted = [(q.start, q.end) for q in article.marks.overlapping(start, end)]
        article.add(Candidate([(start, end)], role[0], [speaker] if speaker else [], quoted, verbatim=True))
        bisect.insort(article.turns, (start, end))


def _person_named_before(article: Article, offset: int) -> CharSpan | None:
    """Where the interviewee stands before the questions: the person named most often before offset
    (the latest of them on a tie), as the model's entity recognizer found them; else the latest role
    that is a subject ("The premier took questions"); None without either."""
    people = [e for e in article.doc.ents if e.label_ == "PERSON" and e.end_char <= offset]
    if not people:
        return _role_subject_before(article, offset)
    # "Jane Doe" then "Doe": count a person by the last word of the name.
    times = Counter(e[-1].lower_ for e in people)
    chosen = max(reversed(people), key=lambda e: times[e[-1].lower_])
    return chosen.start_char, chosen.end_char


def _role_subject_before(article: Article, offset: int) -> CharSpan | None:
    """The latest subject before offset that is a role ("the premier", "the club's new coach")."""
    roles = lexicons.roles()
    before = article.doc.char_span(0, offset, alignment_mode="contract")
    for tok in reversed(before if before is not None else ()):
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ == "NOUN" and tok.lemma_.lower() in roles:
            return tok.left_edge.idx, tok.idx + len(tok.text)
    return None
