"""Organisations where the small model sees a person or a place: context, suffixes, results tables.

`streams.nlp.entities` asks three things here:

- `org_context(doc, start, end)`: the words around a mention say it names an organisation: a noun
  right before it ("Belgian club Standard Liege", "cables giant Pirelli"), a company suffix at its
  end ("Gold Fields of South Africa Ltd"), words right after it ("Interfax news agency", "Ericsson
  shares"), or a hand-kept list of news organisations quoted as sources ("Reuters", "Xinhua");
- `name_end(doc, start, end)`: where the name ends once a company suffix after the NER span is
  taken in and words like "news agency" are left out;
- `team_spans(doc)`: the teams of sports results lines ("Wigan 4 Chester 2", "NEW YORK AT
  CALIFORNIA", "HOUSTON 72 63 .533 -"), where a city's name stands for its club: each line is read
  once, so the cost is linear in the article's length.

Word lists are data files of `streams/nlp/data/` (org_nouns.txt, org_suffixes.txt, org_after.txt,
organizations.txt).
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from streams.nlp import lexicons
from streams.nlp.gazetteer import lookup
from streams.nlp.text import doc_text

#: A score or a standings figure: "4", "429-7", ".533", "1/2", "54.483".
_NUMBER = re.compile(r"^(?:\d[\d.,/:-]*|\.\d+)$")
#: One figure of a standings line, written alone ("72", ".533", "12", "1/2", "-"); not a date.
_FIGURE = re.compile(r"^(?:\d+|\d*\.\d+|\d+/\d+|-)$")
#: Words between two teams of a fixture: "Birmingham v Barnsley", "NEW YORK AT CALIFORNIA".
FIXTURE_WORDS = frozenset({"v", "v.", "vs", "vs.", "AT", "at"})
#: A standings line: a team followed by at least this many figures.
STANDINGS_FIGURES = 3
#: Results lines are short: longer lines are prose, never read token by token here.
MAX_LINE = 160
#: What a results line holds somewhere: a figure or a fixture word.
_CANDIDATE = re.compile(r"\d| (?:v|vs|AT|at)\.? ")


def org_nouns() -> frozenset[str]:
    return lexicons.words("org_nouns.txt")


def org_after() -> frozenset[tuple[str, ...]]:
    return lexicons.phrases("org_after.txt")


@lru_cache(maxsize=1)
def org_suffixes() -> frozenset[str]:
    return frozenset(lexicons.lines("org_suffixes.txt"))


@lru_cache(maxsize=1)
def known_organizations() -> frozenset[str]:
    return frozenset(lexicons.lines("organizations.txt"))


def is_suffix(token: Token) -> bool:
    return token.text.rstrip(".") in org_suffixes()


def is_org_after(tokens: Span) -> bool:
    """Whether the tokens are an org_after phrase, written in lower case ("news agency", not the
    "Agency" of "National Security Agency")."""
    return all(t.is_lower for t in tokens) and tuple(t.lower_ for t in tokens) in org_after()


def phrase_after(doc: Doc, end: int) -> int:
    """Length of the org_after phrase starting at token `end` (0 if none)."""
    for n in (2, 1):
        if end + n <= len(doc) and is_org_after(doc[end : end + n]):
            return n
    return 0


def name_end(doc: Doc, start: int, end: int) -> int:
    """The end of an organisation's name: a suffix just after the span taken in, "news agency" left out."""
    if end < len(doc) and end - start >= 1 and is_suffix(doc[end]) and doc[end - 1].text[:1].isupper():
        return end + 1
    for n in (2, 1):
        if end - start > n and is_org_after(doc[end - n : end]):
            return end - n
    return end


def org_context(doc: Doc, start: int, end: int) -> bool:
    """Whether the words in and around the name [start, end) say it names an organisation."""
    text = doc[start:end].text
    if text in known_organizations():
        return True
    if end - start > 1 and is_suffix(doc[end - 1]):
        return True
    if start > 0 and doc[start - 1].lower_ in org_nouns() and doc[start - 1].is_lower:
        return True
    return phrase_after(doc, end) > 0


# --- sports results --------------------------------------------------------------------------------


def short_lines(doc: Doc) -> list[list[Token]]:
    """The tokens of each line of the doc short enough to be a results line, line breaks left out.

    Only lines of at most MAX_LINE characters that hold a digit or a fixture word are tokenised:
    prose paragraphs are skipped on their text alone.
    """
    found = []
    offset = 0
    for line in doc_text(doc).split("\n"):
        start, offset = offset, offset + len(line) + 1
        if not line.strip() or len(line) > MAX_LINE or not _CANDIDATE.search(line):
            continue
        span = doc.char_span(start, start + len(line), alignment_mode="expand")
        if span is not None:
            found.append([t for t in span if not t.is_space])
    return [line for line in found if line]


def is_number(token: Token) -> bool:
    return _NUMBER.match(token.text) is not None


def is_name_word(token: Token) -> bool:
    return token.text[:1].isupper() and any(c.isalpha() for c in token.text) and not is_number(token)


def without_brackets(line: list[Token]) -> list[Token]:
    """The line less its bracketed groups ("( Italy )", "( P. Simmons 4-38 )")."""
    kept: list[Token] = []
    depth = 0
    for token in line:
        if token.text == "(":
            depth += 1
        elif token.text == ")" and depth:
            depth -= 1
        elif not depth:
            kept.append(token)
    return kept


def name_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """(start, end) positions in `tokens` of each run of capitalised words."""
    runs, i = [], 0
    while i < len(tokens):
        if is_name_word(tokens[i]):
            j = i
            while j < len(tokens) and is_name_word(tokens[j]):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def line_teams(line: list[Token]) -> list[tuple[int, int]]:
    """Doc token spans of the teams of one results line, or nothing when the line is not one."""
    tokens = without_brackets(line)
    runs = name_runs(tokens)
    if not runs or runs[0][0] != 0:
        return []
    scored = [(s, e) for s, e in runs if e < len(tokens) and is_number(tokens[e])]
    rest = "".join(t.text_with_ws for t in tokens[runs[0][1] :]).split()
    figures = sum(1 for word in rest if _FIGURE.match(word))
    standings = len(runs) == 1 and figures == len(rest) >= STANDINGS_FIGURES
    scores = len(runs) >= 2 and len(scored) == len(runs)
    fixture = len(runs) == 2 and runs[0][1] < len(tokens) and tokens[runs[0][1]].text in FIXTURE_WORDS
    fixture = fixture and runs[1] == (runs[0][1] + 1, len(tokens))
    if not (standings or scores or fixture):
        return []
    return [(tokens[s].i, tokens[e - 1].i + 1) for s, e in runs]


def is_country(doc: Doc, start: int, end: int) -> bool:
    """National sides keep their country's name and label ("Romania 2 Lithuania 1")."""
    text = doc[start:end].text
    place = lookup(text) or lookup(text.title())
    return place is not None and place.kind == "country"


def team_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token spans of the clubs named in sports results lines, countries left out."""
    return [(s, e) for line in short_lines(doc) for s, e in line_teams(line) if not is_country(doc, s, e)]


__all__ = ["name_end", "org_context", "team_spans"]
