"""People across articles: a bare surname resolves to the person the stream already knows by it.

One article that never gives a first name ("Trump said ...") makes an entity "Trump" with an id of its
own. `KnownPeople` remembers, per surname, the full names the stream has seen (how many articles named
each) and rewrites such an entity, and the speakers that point at it, to the person who dominates the
surname ("Donald Trump"), with that person's id. Ids are `entity_id(name, "PERSON")`, so the index
only needs names and counts: the same for every process that sees the same articles.

Pure: events in, events out, no Kafka. `streams enrich` keeps one `KnownPeople` over its run; the
worker keeps the same counts in a table (see the README, "People across articles").

    known = KnownPeople()
    event = known.resolve(event)   # rewrite with what is known so far, then learn from the article
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field

from streams.events import Event
from streams.nlp.entities import entity_id, honorific_words, title_word, without_middle_initials
from streams.nlp.gazetteer import lookup

#: A surname resolves to its top full name only when that name holds at least this share of the
#: articles naming someone by that surname ("Clinton": Hillary, not Bill, when she dominates).
DOMINANCE = 0.7
#: How many full names a surname keeps counts for (the most frequent are never lost).
NAMES_KEPT = 8
#: A word of a person's name: a capital, then letters, maybe hyphens, apostrophes or dots ("O'Brien",
#: "Jean-Marc", "J."), no possessive ending ("Trump's"); and not all capitals ("GOP").
_NAME_WORD = re.compile(r"^[A-Z](?:[^\W\d_]|[-'’.](?![sS]$))*$")
#: Generational suffixes: "Donald Trump Jr." is not "Donald Trump".
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_words(name: str) -> list[str]:
    """A person's name without honorifics and middle initials: "Mr. Donald J. Trump" -> Donald Trump."""
    words = name.split()
    while len(words) > 1 and title_word(words[0]) in honorific_words():
        words = words[1:]
    return without_middle_initials(" ".join(words)).split()


def person_key(name: str) -> str:
    """The name a person is known by: honorifics and middle initials dropped, suffixes kept."""
    return " ".join(name_words(name))


def surname_of(name: str) -> str | None:
    """The surname of a person's full name, or None when the name cannot own a surname: a suffixed name
    ("Donald Trump Jr." is a name of its own), or what NER called a person but is not a person's name
    ("Donald Trump's America", "Indiana GOP", "Log Cabin Republicans"): a possessive, a word that is
    not a capitalised name, or a last word the gazetteers know as a place or a people."""
    words = name_words(name)
    if len(words) < 2 or words[-1].lower().rstrip(".") in SUFFIXES:
        return None
    if not all(_NAME_WORD.match(w) and (len(w.replace(".", "")) <= 2 or not w.isupper()) for w in words):
        return None
    if lookup(words[-1]) is not None:
        return None
    return words[-1]


@dataclass(slots=True)
class KnownPeople:
    """Full names by surname, each with the number of articles that named the person in full.

    `by_surname` may be any mutable mapping, a Faust table among them: a value is never changed in
    place, each update assigns a new dict (what a table's changelog records).
    """

    by_surname: MutableMapping[str, Mapping[str, int]] = field(default_factory=dict)

    def learn(self, enriched: Event) -> None:
        """Count the full names of an article's PERSON entities (once per article)."""
        for surname, name in lessons(enriched):
            self.by_surname[surname] = counted(self.by_surname.get(surname), name, NAMES_KEPT)

    def owner(self, surname: str) -> str | None:
        """The full name that dominates a surname, if one does."""
        return dominant(self.by_surname.get(surname))

    def resolve(self, enriched: Event) -> Event:
        """The article rewritten with what is known so far; then what it teaches is learnt."""
        rewritten = rewrite(enriched, self.owner)
        self.learn(enriched)
        return rewritten


def lessons(enriched: Event) -> list[tuple[str, str]]:
    """What an article teaches: (surname, full name) for each person it names in full, once each, the
    name as a person is known by (`person_key`: "Donald J. Trump" is "Donald Trump").

    The worker sends these to the topic that feeds its table of known people."""
    found = []
    for name in full_names(enriched):
        surname = surname_of(name)
        if surname is not None and (surname, person_key(name)) not in found:
            found.append((surname, person_key(name)))
    return found


def counted(counts: Mapping[str, int] | None, item: str, keep: int) -> dict[str, int]:
    """New counts with one more `item`, at most `keep` items, counted the space-saving way (Metwally et
    al.): a new item takes the place of the least counted one and inherits its count plus one, so an
    item that becomes frequent late still rises and the most frequent are never lost."""
    updated = dict(counts or {})
    if item in updated or len(updated) < keep:
        updated[item] = updated.get(item, 0) + 1
        return updated
    least = min(updated, key=lambda key: updated[key])
    updated[item] = updated.pop(least) + 1
    return updated


def dominant(counts: Mapping[str, int] | None) -> str | None:
    if not counts:
        return None
    top, top_count = max(counts.items(), key=lambda item: (item[1], item[0]))
    return top if top_count >= DOMINANCE * sum(counts.values()) else None


def full_names(enriched: Event) -> list[str]:
    """The distinct full names (two words or more) of an enriched article's PERSON entities."""
    names = (e["name"] for e in enriched["entities"] if e["label"] == "PERSON" and len(e["name"].split()) > 1)
    return list(dict.fromkeys(names))


def rewrite(enriched: Event, owner_of: Callable[[str], str | None]) -> Event:
    """A copy of the event where each bare-surname PERSON entity whose surname has an owner is that
    owner: its name and id, and the same for every quote speaker that points at it."""
    renamed: dict[str, tuple[str, str]] = {}
    for e in enriched["entities"]:
        words = e["name"].split()
        if e["label"] == "PERSON" and len(words) == 1 and (full := owner_of(words[0])) is not None:
            renamed[e["entity_id"]] = (full, entity_id(full, "PERSON"))
    if not renamed:
        return enriched
    # A copy of what changes only (the entities, the quotes' speakers): the text and sentences are shared.
    event = {
        **enriched,
        "entities": [dict(e) for e in enriched["entities"]],
        "quotes": [{**q, "speakers": [dict(s) for s in q["speakers"]]} for q in enriched["quotes"]],
    }
    for e in event["entities"]:
        if e["entity_id"] in renamed:
            e["name"], e["entity_id"] = renamed[e["entity_id"]]
    for quote in event["quotes"]:
        for s in quote["speakers"]:
            if s["entity_id"] in renamed:
                s["name"], s["entity_id"] = renamed[s["entity_id"]]
    return event


# --- titles in the views -----------------------------------------------------------------------------

#: How many distinct titles a view keeps per person (the rarest go first).
TITLES_KEPT = 8


def count_title(counts: Mapping[str, int] | None, title: str | None, keep: int = TITLES_KEPT) -> dict[str, int]:
    """A person's title counts after one more quote or article with `title` (None: unchanged); at most
    `keep` titles (see `counted`), so the value a table stores stays small."""
    return counted(counts, title, keep) if title else dict(counts or {})


def main_title(counts: Mapping[str, int] | None) -> str | None:
    """The person's most frequent title, the earliest seen on ties; None when no title was seen."""
    if not counts:
        return None
    return max(counts.items(), key=lambda item: item[1])[0]


def resolve_all(enriched: Iterable[Event], known: KnownPeople | None = None) -> Iterable[Event]:
    """Each event rewritten with what the events before it taught (one `KnownPeople` for the run)."""
    known = KnownPeople() if known is None else known
    for event in enriched:
        yield known.resolve(event)


__all__ = [
    "DOMINANCE",
    "KnownPeople",
    "count_title",
    "counted",
    "dominant",
    "lessons",
    "main_title",
    "person_key",
    "resolve_all",
    "rewrite",
    "surname_of",
]
