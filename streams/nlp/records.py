"""What the pipeline components leave on a `Doc`: small immutable records with character offsets.

Offsets are character offsets into `doc.text`, end exclusive. These records are plain data: turning
them into events is `streams.events`' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuoteKind = Literal["direct", "indirect", "mixed"]


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Cue:
    text: str
    lemma: str
    start: int
    end: int


@dataclass(slots=True)
class Entity:
    """One canonical entity of an article: all its mentions, under one name and a stable id."""

    entity_id: str
    name: str
    label: str
    mentions: list[Mention] = field(default_factory=list)
    title: str | None = None
    aliases: list[str] = field(default_factory=list)
    in_title: bool = False
    #: Every title the article gives the entity, in order ("French President", "French leader");
    #: `title` is the most frequent of them. Lets a bare title ("the French leader") find its person.
    titles: list[str] = field(default_factory=list)

    @property
    def first_position(self) -> int:
        return min((m.start for m in self.mentions), default=-1)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said a quote: `name` is canonical, `mention` is where the speaker stands for this quote."""

    name: str
    entity_id: str | None
    mention: Mention
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Fragment:
    """A stretch of the speaker's words: a quote interrupted by its reporting clause has several."""

    start: int
    end: int


@dataclass(slots=True)
class Quote:
    """`fragments` are the quoted words in order; `start`/`end` run from the first to the last of them,
    and `text` is their text joined with " … "."""

    text: str
    start: int
    end: int
    kind: QuoteKind
    cue: Cue | None
    sentence_index: int
    #: The raw speaker phrase found by the extractor, before resolution (may be "he", "the French leader").
    speaker_mentions: list[Mention] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    fragments: list[Fragment] = field(default_factory=list)
