"""The lexicons of `streams/nlp/data/`: one loader, one comment rule, each file read once per process.

Every data file is UTF-8 text, one entry a line. A line whose first non-blank character is `#` is a
comment; blank lines are skipped. Fields are separated by tabs (`rows`), or the whole line is one entry
(`words`, `phrases`). Data files are package resources, so they load the same from a checkout, a wheel
or a zip.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

PACKAGE = "streams.nlp.data"


@lru_cache(maxsize=32)
def lines(name: str) -> tuple[str, ...]:
    """The entries of a data file, stripped, without comments and blank lines."""
    text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    stripped = (line.strip() for line in text.splitlines())
    return tuple(line for line in stripped if line and not line.startswith("#"))


def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """A tab-separated data file as rows of fields."""
    return tuple(tuple(field.strip() for field in line.split("\t")) for line in lines(name))


@lru_cache(maxsize=32)
def words(name: str) -> frozenset[str]:
    """A one-entry-a-line file, lower-cased."""
    return frozenset(line.lower() for line in lines(name))


@lru_cache(maxsize=32)
def phrases(name: str) -> frozenset[tuple[str, ...]]:
    """A one-phrase-a-line file, lower-cased, each phrase as its words (matched token by token)."""
    return frozenset(tuple(line.lower().split()) for line in lines(name))


@lru_cache(maxsize=1)
def cues() -> dict[str, frozenset[str]]:
    """Cue lemma (or multiword preposition) -> frames where its content stands (see `cues.txt`)."""
    found: dict[str, frozenset[str]] = {}
    for line in lines("cues.txt"):
        lemma, _, frames = line.rpartition(" ")
        key = lemma.strip().lower()  # a word listed twice (verb and noun) has both lines' frames
        found[key] = found.get(key, frozenset()) | {f.strip() for f in frames.split(",") if f.strip()}
    return found


__all__ = ["cues", "lines", "phrases", "rows", "words"]


@lru_cache(maxsize=1)
def person_roles() -> frozenset[str]:
    """Nouns of a person's role or title (`roles.txt`): "president", "spokeswoman"."""
    return words("roles.txt")


@lru_cache(maxsize=1)
def roles() -> frozenset[str]:
    """Nouns a speaker's role is given by: a person's (`roles.txt`) or a speaking organisation's."""
    return person_roles() | words("organisation_roles.txt")
