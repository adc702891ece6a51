"""Quotation marks, found on the text rather than on the tokens.

Straight and curly double quotes, guillemets, `''`/``` `` ``` digraphs, single quotes when no double
quote is open, and the newspaper convention of a quotation left open at a paragraph's end that goes on
in the next paragraph's opening mark. Unbalanced marks never raise: a quotation left open ends with its
paragraph. Every function here is one pass over the text; `QuotationIndex` answers "which quotations
are here" by bisection, so callers never rescan the list.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_OPENING = frozenset("“«„‟")
_CLOSING = frozenset("”»")
_STRAIGHT = '"'
#: Characters after which a straight mark opens rather than closes.
_OPEN_CONTEXT = frozenset(" \t\n\r([{—–-/:;\x00")
#: Punctuation a quotation closes on.
_ENDING = frozenset(",.?!…")


@dataclass(frozen=True, slots=True)
class Quotation:
    """Characters from an opening mark to just after its closing mark (or to the paragraph's end).

    `parts` are the pieces of a quotation that runs over paragraphs (`"A.` / `"B."`): one per paragraph,
    each from its opening mark to its paragraph's end (the last to the closing mark).
    """

    start: int
    end: int
    closed: bool
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def pieces(self) -> tuple[tuple[int, int], ...]:
        return self.parts or ((self.start, self.end),)


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
    if text.startswith("``", i) or text.startswith("''", i):
        return "digraph"
    if ch == '"':
        return "straight"
    return "curly"


def _continues(text: str, newline: int, family: str) -> int | None:
    """If the paragraph after this newline opens with a mark of the family, the offset of that mark."""
    j = newline
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text):
        return None
    mark = _mark_at(text, j)
    if mark and _family(text, j) == family and (mark[0] in ("open", "either") or text[j] == "”"):
        return j
    return None


def _role(text: str, i: int, role: str, length: int, is_open: bool) -> str:
    """Whether a mark opens or closes, from its neighbours when its shape does not say."""
    before = text[i - 1] if i else "\n"
    after = text[i + length] if i + length < len(text) else "\n"
    if role == "either":
        if is_open:
            return "close"
        opens = before in _OPEN_CONTEXT or before in _OPENING or (not before.isalnum() and after.isalnum())
        return "open" if opens else "close"
    if role == "close" and not is_open and before in "\n " and after.isalnum():
        return "open"  # a closing mark typed where an opening one belongs
    if role == "open" and is_open and before in _ENDING and after in " \n":
        return "close"  # `“It's unusual,“ said ...`: an opening mark typed where the closing one belongs
    return role


def _nested(text: str, i: int, mark: tuple[str, int], family: str, inner: str) -> bool:
    """A mark of another family inside an open quotation opens or closes a nested quotation, unless it
    can only close (a sloppy closing mark of the wrong family closes the open quotation)."""
    own = _family(text, i)
    if own == family:
        return False
    return inner == own or (not inner and _role(text, i, mark[0], mark[1], False) == "open")


def _attribute_value_end(text: str, i: int) -> int | None:
    """Just past the value of a markup attribute whose straight opening mark is at i (`author="x"`), or None."""
    if text[i] != _STRAIGHT or not i or text[i - 1] != "=":
        return None
    close = text.find(_STRAIGHT, i + 1)  # the scan resumes past it: one pass over the text in all
    return close + 1 if close >= 0 and text.find("\n", i, close) < 0 else None


def double_quotations(text: str) -> list[Quotation]:
    """Spans of double quotation marks, pairing them left to right; never raises."""
    spans: list[Quotation] = []
    open_at: int | None = None
    parts: list[tuple[int, int]] = []  # the finished paragraphs of a quotation running on
    family = ""
    inner = ""  # the family of a quotation nested in the open one (“He called it "a farce" today”)
    i, n = 0, len(text)

    part_start = 0  # where the quotation's piece in the current paragraph opens

    def finish(end: int, closed: bool) -> None:
        assert open_at is not None
        pieces = (*parts, (part_start, end)) if parts else ()
        spans.append(Quotation(open_at, end, closed, pieces))

    while i < n:
        ch = text[i]
        if ch == "\n":
            if open_at is not None:
                resume = _continues(text, i, family)
                if resume is not None:
                    # Newspaper convention: a quote running on opens each paragraph and closes once.
                    parts.append((part_start, max(_paragraph_end(text, part_start), part_start + 1)))
                    part_start = resume
                    i = resume + _mark_at(text, resume)[1]  # type: ignore[index]
                    continue
                finish(max(_paragraph_end(text, part_start), part_start + 1), False)
                open_at, parts = None, []
            inner = ""
            i += 1
            continue
        mark = _mark_at(text, i)
        if mark is None:
            i += 1
            continue
        if (value_end := _attribute_value_end(text, i)) is not None:
            i = value_end  # `<tweet author="@mayor">`: markup left in the text, no quotation
            continue
        if open_at is not None and _nested(text, i, mark, family, inner):
            inner = "" if inner else _family(text, i)
            i += mark[1]
            continue
        role = _role(text, i, mark[0], mark[1], open_at is not None)
        if role == "open":
            if open_at is not None and i > open_at:
                # An opening mark inside an open quote: the previous one never closed.
                finish(i, False)
            open_at, parts, part_start = i, [], i
            family = _family(text, i)
        elif open_at is not None:
            finish(i + mark[1], True)
            open_at, parts, inner = None, [], ""
        i += mark[1]
    if open_at is not None:
        finish(max(_paragraph_end(text, part_start), part_start + 1), False)
    return [s for s in spans if s.end <= n]


def single_quotations(text: str, outside: Sequence[Quotation]) -> list[Quotation]:
    """‘Single’ quotes outside double ones, within a paragraph; an unclosed one is an apostrophe."""
    doubles = QuotationIndex(outside)
    spans: list[Quotation] = []
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
        # "in ‘08", "the ‘90s": a mark before a year's last two digits is an apostrophe.
        year = text[i + 1 : i + 3].isdigit() and not text[i + 3 : i + 4].isdigit()
        opens = (ch == "‘" and not year) or (ch == "'" and (before.isspace() or before in "([—") and after.isalpha())
        closes = ch in "’'" and not after.isalnum() and (before.isalnum() or before in ".,!?")
        if open_at is None and opens:
            open_at = i
        elif open_at is not None and closes and i - open_at > 1:
            if not doubles.overlapping(open_at, open_at + 1):
                spans.append(Quotation(open_at, i + 1, True))
            open_at = None
    return spans


def quotations(text: str) -> list[Quotation]:
    doubles = double_quotations(text)
    return sorted([*doubles, *single_quotations(text, doubles)], key=lambda q: q.start)


class QuotationIndex:
    """Quotations sorted by start, looked up by bisection.

    Quotations barely overlap (a single quote never starts inside a double one), so a running maximum of
    their ends finds the first that can reach a position, and a lookup costs its log and its answer.
    """

    def __init__(self, found: Sequence[Quotation]) -> None:
        self.quotations = sorted(found, key=lambda q: q.start)
        self.starts = [q.start for q in self.quotations]
        self.reach: list[int] = []  # reach[k]: the furthest end of quotations 0..k
        furthest = -1
        for q in self.quotations:
            furthest = max(furthest, q.end)
            self.reach.append(furthest)

    def __iter__(self) -> Iterator[Quotation]:
        return iter(self.quotations)

    def __len__(self) -> int:
        return len(self.quotations)

    def overlapping(self, start: int, end: int) -> list[Quotation]:
        """Quotations sharing a character with start..end, in text order."""
        first = bisect.bisect_right(self.reach, start)
        last = bisect.bisect_left(self.starts, end)
        return [q for q in self.quotations[first:last] if start < q.end]

    def inside(self, start: int, end: int) -> Quotation | None:
        """The quotation holding start..end whole, if any."""
        k = bisect.bisect_right(self.starts, start) - 1
        if k >= 0 and self.quotations[k].start <= start and end <= self.quotations[k].end:
            return self.quotations[k]
        return None
