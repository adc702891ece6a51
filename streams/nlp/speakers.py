"""Speaker resolution: each quote's speaker mention resolved to a canonical named entity.

The quote extractor leaves raw speaker phrases (`quote.speaker_mentions`): "Putin", "he", "the French
leader", "one of the family's attorneys, Justin Bamberg". Here each becomes a `Speaker`:

- a phrase holding a named entity takes that entity (its head's first, else a person in apposition);
- a personal pronoun takes the nearest person (or organisation, for "it"/"they") mentioned before it
  outside any quote's content: quoted names are what speakers talk about, not who speaks;
- a nominal ("the French leader", "the spokesman", "the Post") takes the entity introduced with the
  same words ("French President Emmanuel Macron", "spokesman John Kirby", "The New York Post");
- anything else ("a source", "officials") stays as written, with no entity.

Titles are kept apart from names: `name` is the canonical entity name, `title` the role words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from streams.nlp import entities as entities_module
from streams.nlp import lexicons
from streams.nlp.records import Entity, Mention, Quote, Speaker

#: Entity labels that can speak.
SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "i", "me"})
GROUP_PRONOUNS = frozenset({"they", "them", "we", "us"})
THING_PRONOUNS = frozenset({"it"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their"})
#: How far back (characters) a pronoun or nominal looks for its antecedent.
WINDOW = 3000


def roles() -> frozenset[str]:
    return lexicons.words("roles.txt")


@dataclass(frozen=True, slots=True)
class Antecedent:
    """A place where an entity stands in the text, as a candidate for later pronouns and nominals."""

    start: int
    end: int
    entity: Entity


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.casefold())


def _merged(spans: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted disjoint (starts, ends) covering the spans: one bisection answers "inside one of them"."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(spans):
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _inside_any(start: int, end: int, merged: tuple[list[int], list[int]]) -> bool:
    starts, ends = merged
    k = bisect.bisect_right(starts, start) - 1
    return k >= 0 and end <= ends[k]


def antecedents(doc: Doc, quotes: Sequence[Quote]) -> list[Antecedent]:
    """Entity mentions outside every quote's content, in text order."""
    contents = _merged((q.start, q.end) for q in quotes)
    found = [
        Antecedent(m.start, m.end, e)
        for e in doc._.entities or ()
        if e.label in SPEAKER_LABELS
        for m in e.mentions
        if not _inside_any(m.start, m.end, contents)
    ]
    return sorted(found, key=lambda a: a.start)


def _within_window(candidates: Sequence[Antecedent], start: int) -> Iterator[Antecedent]:
    """Candidates starting before `start` and at most WINDOW characters before it, nearest first:
    a bisection and the window, never the whole list (thousands of quotes, issue 11)."""
    k = bisect.bisect_left(candidates, start, key=lambda a: a.start)
    while k > 0 and start - candidates[k - 1].start <= WINDOW:
        k -= 1
        yield candidates[k]


def entity_in(doc: Doc, span: Span) -> Entity | None:
    """The entity a speaker phrase names: at its head first, else a person, org, ... inside it."""
    head = span.root
    at_head = entities_module.entity_at(doc, head.idx, head.idx + len(head.text))
    if at_head is not None and at_head.label in SPEAKER_LABELS:
        return at_head
    inside = [
        e
        for e in doc._.entities or ()
        if e.label in SPEAKER_LABELS and any(span.start_char <= m.start and m.end <= span.end_char for m in e.mentions)
    ]
    # "The French leader", "Russian officials": a nationality modifying a common noun is not the speaker.
    labels = SPEAKER_LABELS if head.pos_ == "PROPN" else ("PERSON", "ORG")
    for label in labels:
        for e in inside:
            if e.label == label:
                return e
    return None


def title_from(doc: Doc, span: Span, entity: Entity) -> str | None:
    """Role words the phrase puts around the name: "Russian President" in "Russian President Putin"."""
    if entity.title:
        return entity.title
    mention = next((m for m in entity.mentions if span.start_char <= m.start and m.end <= span.end_char), None)
    words = roles()
    rest = [t for t in span if mention is None or not (mention.start <= t.idx < mention.end)]
    rest = [t for t in rest if not t.is_punct and t.lower_ not in _DETERMINERS]
    if any(t.lower_ in words or t.lemma_.lower() in words for t in rest):
        return " ".join(t.text for t in rest)
    return None


def nominal_antecedent(span: Span, candidates: Sequence[Antecedent], text: str) -> Antecedent | None:
    """The latest entity introduced with the nominal's words ("the French leader" -> "French ... Macron")."""
    words = {t.lower_ for t in span if not t.is_punct and t.lower_ not in _DETERMINERS and not t.is_stop}
    if not words:
        return None
    best: tuple[int, int, Antecedent] | None = None
    for a in _within_window(candidates, span.start_char):
        # The entity's name and the words right before a mention of it: "French President Macron".
        context = set(_words(text[max(0, a.start - 40) : a.end])) | set(_words(a.entity.name))
        for title in (a.entity.title, *getattr(a.entity, "titles", ())):
            context |= set(_words(title or ""))
        shared = len(words & context)
        if shared and (best is None or (shared, a.start) > (best[0], best[1])):
            best = (shared, a.start, a)
    return best[2] if best else None


def pronoun_antecedent(word: str, start: int, candidates: Sequence[Antecedent]) -> Antecedent | None:
    labels = ("PERSON",) if word in PERSON_PRONOUNS else ("ORG", "NORP", "GPE", "PERSON")
    if word in THING_PRONOUNS:
        labels = ("ORG", "GPE")
    for a in _within_window(candidates, start):
        if a.end <= start and a.entity.label in labels[:1]:
            return a
    if len(labels) > 1:
        for a in _within_window(candidates, start):
            if a.end <= start and a.entity.label in labels:
                return a
    return None


def resolve_mention(doc: Doc, mention: Mention, candidates: Sequence[Antecedent]) -> Speaker:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or not len(span):
        return Speaker(mention.text, None, mention)
    head = span.root
    word = head.lower_
    if len(span) == 1 and word in RELATIVE_PRONOUNS and head.head.dep_ == "relcl" and head.head.head.i != head.i:
        # "Trump, who said ...": the speaker stands at "who", and is whoever "who" stands for.
        antecedent = head.head.head
        target = span.doc[antecedent.left_edge.i : antecedent.i + 1]
        found = resolve_mention(doc, Mention(target.text, target.start_char, target.end_char), candidates)
        return Speaker(found.name, found.entity_id, mention, found.title)
    if len(span) == 1 and (head.pos_ == "PRON" or word in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS):
        found = pronoun_antecedent(word, mention.start, candidates)
        if found is None:
            return Speaker(mention.text, None, mention)
        return Speaker(found.entity.name, found.entity.entity_id, mention, found.entity.title)
    entity = entity_in(doc, span)
    if entity is not None:
        return Speaker(entity.name, entity.entity_id, mention, title_from(doc, span, entity))
    found = nominal_antecedent(span, candidates, doc.text)
    if found is not None and (head.lemma_.lower() in roles() or head.pos_ == "PROPN"):
        title = " ".join(t.text for t in span if t.lower_ not in _DETERMINERS and not t.is_punct)
        return Speaker(found.entity.name, found.entity.entity_id, mention, found.entity.title or title)
    return Speaker(mention.text, None, mention)


def resolve_quotes(doc: Doc, quotes: Iterable[Quote]) -> None:
    """Fill `quote.speakers` in text order; resolved speakers become antecedents for later pronouns."""
    quotes = sorted(quotes, key=lambda q: q.start)
    candidates = antecedents(doc, quotes)
    entities = {e.entity_id: e for e in doc._.entities or ()}
    for quote in quotes:
        speakers: list[Speaker] = []
        for mention in quote.speaker_mentions:
            speaker = resolve_mention(doc, mention, candidates)
            if speaker not in speakers:
                speakers.append(speaker)
        quote.speakers = speakers
        # A pronoun speaker resolved to an entity stands for it from now on ("..., he said. He added").
        for s in speakers:
            if s.entity_id in entities:
                antecedent = Antecedent(s.mention.start, s.mention.end, entities[s.entity_id])
                bisect.insort(candidates, antecedent, key=lambda a: a.start)


def resolve_speakers(doc: Doc) -> None:
    resolve_quotes(doc, doc._.quotes or ())


class SpeakerResolver:
    """Fills each quote's `speakers`. Raises on a bug, like every component: the Enricher decides what an
    article that cannot be processed becomes (issue 10)."""

    def __call__(self, doc: Doc) -> Doc:
        resolve_speakers(doc)
        return doc


@Language.factory(
    "streams_speakers",
    default_config={},
    assigns=["doc._.quotes"],
    requires=["doc._.quotes", "doc._.entities", "token.dep", "token.pos", "token.lemma"],
)
def make_speakers(nlp: Language, name: str) -> SpeakerResolver:
    return SpeakerResolver()
