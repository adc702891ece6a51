"""Indexes over one article's character and token positions, built once, queried by bisection.

The constructions ask the same questions for every quotation and cue (which paragraph, which sentence,
how many letters between two offsets, is this stretch taken already); answering them by rescanning the
text or the list of quotes found so far made the extraction quadratic on long articles (issue 11).
"""

from __future__ import annotations

import bisect
from itertools import accumulate

from spacy.tokens import Doc, Span, Token


class Paragraphs:
    """Lines of the text: the quote rules' paragraph is a line (a blank line is two breaks)."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.breaks = [i for i, ch in enumerate(text) if ch == "\n"]

    def of(self, i: int) -> tuple[int, int]:
        """(start, end) of the line holding offset i, the newline excluded."""
        k = bisect.bisect_left(self.breaks, i)
        start = self.breaks[k - 1] + 1 if k else 0
        end = self.breaks[k] if k < len(self.breaks) else self.length
        return start, end

    def breaks_between(self, start: int, end: int) -> int:
        """How many line breaks lie in start..end."""
        return bisect.bisect_left(self.breaks, end) - bisect.bisect_left(self.breaks, start)


class Letters:
    """Counts of letters and digits between two offsets: what the scoring and the rules weigh."""

    def __init__(self, text: str) -> None:
        self.before = [0, *accumulate(ch.isalnum() for ch in text)]

    def count(self, start: int, end: int) -> int:
        return self.before[max(end, start)] - self.before[start]

    def any(self, start: int, end: int) -> bool:
        return self.count(start, end) > 0


class Sentences:
    """The sentence of a token without `Token.sent`, which walks the sentence on every call."""

    def __init__(self, doc: Doc) -> None:
        self.spans: list[Span] = list(doc.sents)
        self.starts = [s.start for s in self.spans]
        self.start_chars = [s.start_char for s in self.spans]

    def of(self, token: Token) -> Span:
        return self.spans[bisect.bisect_right(self.starts, token.i) - 1]

    def index_at(self, char: int) -> int:
        return max(bisect.bisect_right(self.start_chars, char) - 1, 0)


class SpanUnion:
    """The union of character spans added so far, as sorted disjoint intervals: "is this taken?"."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        # Every interval that touches start..end merges with it into one.
        first = bisect.bisect_left(self.ends, start)
        last = bisect.bisect_right(self.starts, end)
        if first < last:
            start = min(start, self.starts[first])
            end = max(end, self.ends[last - 1])
        self.starts[first:last] = [start]
        self.ends[first:last] = [end]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a character of start..end is in the union."""
        k = bisect.bisect_right(self.ends, start)
        return k < len(self.starts) and self.starts[k] < end
