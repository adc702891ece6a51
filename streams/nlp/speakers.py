"""Speaker resolution: each quote's speaker mention resolved to a canonical named entity.

The quote extractor leaves raw speaker phrases (`quote.speaker_mentions`): "Putin", "he", "the French
leader", "one of the family's attorneys, Justin Bamberg". Here each becomes a `Speaker`:

- a role phrase the parse cut from the name after it ("GOP presidential candidate" + "Dr. Ben Carson
  said") takes that person;
- a phrase holding a named entity takes that entity (its head's first, else a person in apposition);
- a personal pronoun takes the nearest person (or organisation, for "it"/"they") mentioned before it
  outside any quote's content: quoted names are what speakers talk about, not who speaks;
- an epithet ("the 34-year-old", "the Dutchman") takes the person just named (by age, the one given
  that age: "Drew Doughty, 34,");
- a nominal ("the French leader", "the spokesman", "the Post") takes the entity introduced with the
  same words in one sentence ("French President Emmanuel Macron", "spokesman John Kirby", "The New York Post");
- anything else ("a source", "officials") stays as written, with no entity.

Titles are kept apart from names: `name` is the canonical entity name, `title` the role words
(`entities.clean_title`: a role, never a name or an honorific). Entities and antecedents are found by
bisection over mentions sorted once per article: the cost per quote does not grow with the article.
The component raises on a bug; what becomes of the article is the Enricher's decision.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from spacy.language import Language
from spacy.tokens import Doc, Span

from streams.nlp import entities as entities_module
from streams.nlp import lexicons
from streams.nlp.records import Entity, Mention, Quote, Speaker
from streams.nlp.text import doc_text

#: Entity labels that can speak.
SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "i", "me"})
GROUP_PRONOUNS = frozenset({"they", "them", "we", "us"})
THING_PRONOUNS = frozenset({"it"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their"})
#: How far back (characters) a pronoun or nominal looks for its antecedent.
WINDOW = 3000


@dataclass(frozen=True, slots=True)
class Antecedent:
    """A place where an entity stands in the text, as a candidate for later pronouns and nominals."""

    start: int
    end: int
    entity: Entity


class Antecedents:
    """Entity mentions outside every quote's content, in text order; pronoun speakers resolved to an
    entity join them as the quotes are read. Look-ups bisect to the window before a phrase: the cost
    per quote does not grow with the number of quotes or mentions before it."""

    def __init__(self, found: Iterable[Antecedent]) -> None:
        self.items = sorted(found, key=lambda a: a.start)
        self.starts = [a.start for a in self.items]

    def add(self, antecedent: Antecedent) -> None:
        i = bisect.bisect_right(self.starts, antecedent.start)
        self.starts.insert(i, antecedent.start)
        self.items.insert(i, antecedent)

    def ended_before(self, position: int) -> list[Antecedent]:
        """The antecedents of the window before `position` that end before it too, latest last."""
        return [a for a in self.before(position) if a.end <= position]

    def before(self, position: int) -> list[Antecedent]:
        """The antecedents starting within WINDOW characters before `position`, latest last."""
        low = bisect.bisect_left(self.starts, position - WINDOW)
        high = bisect.bisect_left(self.starts, position)
        return self.items[low:high]


#: Where a sentence or a paragraph ends.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s|\n")


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.casefold())


def antecedents(doc: Doc, quotes: Sequence[Quote]) -> Antecedents:
    """Entity mentions outside every quote's content, in text order."""
    contents = sorted((q.start, q.end) for q in quotes)
    # The furthest end of a content starting at or before each content's start: one bisection tells
    # whether a mention lies inside any content.
    reach = list(accumulate((end for _, end in contents), max))
    content_starts = [start for start, _ in contents]

    def quoted(start: int, end: int) -> bool:
        i = bisect.bisect_right(content_starts, start) - 1
        return i >= 0 and reach[i] >= end

    return Antecedents(
        Antecedent(m.start, m.end, e)
        for e in doc._.entities or ()
        if e.label in SPEAKER_LABELS
        for m in e.mentions
        if not quoted(m.start, m.end)
    )


def entity_in(span: Span, index: entities_module.MentionIndex) -> Entity | None:
    """The entity a speaker phrase names: at its head first, else a person, org, ... inside it."""
    head = span.root
    at_head = index.at(head.idx, head.idx + len(head.text))
    if at_head is not None and at_head.label in SPEAKER_LABELS:
        return at_head
    inside = [e for e in index.inside(span.start_char, span.end_char) if e.label in SPEAKER_LABELS]
    # "The French leader", "Russian officials": a nationality modifying a common noun is not the speaker.
    labels = SPEAKER_LABELS if head.pos_ == "PROPN" else ("PERSON", "ORG")
    for label in labels:
        for e in inside:
            if e.label == label:
                return e
    return None


def person_after(span: Span, index: entities_module.MentionIndex) -> Entity | None:
    """The person named right after a role phrase the parse cut from its name ("GOP presidential
    candidate" + "Dr. Ben Carson said"), honorifics skipped."""
    doc = span.doc
    i = span.end
    while i < len(doc) and entities_module.title_word(doc[i].text) in entities_module.honorific_words():
        i += 1
    if i >= len(doc):
        return None
    found = index.at(doc[i].idx, doc[i].idx + len(doc[i].text))
    return found if found is not None and found.label == "PERSON" else None


def title_from(span: Span, entity: Entity) -> str | None:
    """Role words the phrase puts around the name: "Russian President" in "Russian President Putin"."""
    if entity.title:
        return entity.title
    mention = next((m for m in entity.mentions if span.start_char <= m.start and m.end <= span.end_char), None)
    words = lexicons.roles()
    rest = [t for t in span if mention is None or not (mention.start <= t.idx < mention.end)]
    rest = [t for t in rest if not t.is_punct and t.lower_ not in _DETERMINERS]
    if any(t.lower_ in words or t.lemma_.lower() in words for t in rest):
        return entities_module.clean_title(" ".join(t.text for t in rest), entity.name)
    return None


def nominal_antecedent(span: Span, candidates: Antecedents, text: str) -> Antecedent | None:
    """The latest entity introduced with the nominal's words ("the French leader" -> "French ... Macron")."""
    words = {t.lower_ for t in span if not t.is_punct and t.lower_ not in _DETERMINERS and not t.is_stop}
    if not words:
        return None
    best: tuple[int, int, Antecedent] | None = None
    for a in candidates.before(span.start_char):
        # The entity's name and the words right before a mention of it, in its sentence: "French President
        # Macron" (not "... health care? So do I." for "the health minister").
        before = _SENTENCE_END.split(text[max(0, a.start - 40) : a.start])[-1]
        context = set(_words(before + text[a.start : a.end])) | set(_words(a.entity.name))
        for title in (a.entity.title, *a.entity.titles):
            context |= set(_words(title or ""))
        shared = len(words & context)
        if shared and (best is None or (shared, a.start) > (best[0], best[1])):
            best = (shared, a.start, a)
    return best[2] if best else None


def epithet_antecedent(span: Span, candidates: Antecedents, text: str) -> Antecedent | None:
    """ "the 34-year-old", "the Dutchman": news names the person it is writing about by age or nationality.
    The latest person before the phrase; for an age, the latest given that age ("Jane Doe, 34,") if any is."""
    # The phrase may leave its article out ("34-year-old"): it must stand in the text before it.
    if span[0].lower_ == "the":
        span = span[1:]
    elif text[max(0, span.start_char - 4) : span.start_char].lower() != "the ":
        return None
    age = _AGE.fullmatch(span.text)
    if age is None and not (len(span) == 1 and entities_module.is_demonym(span.text)):
        return None
    if span[-1].tag_ in ("NNS", "NNPS"):
        return None  # "the Russians": a people, not one person
    people = [a for a in candidates.ended_before(span.start_char) if a.entity.label == "PERSON"]
    if age is not None:
        given = re.compile(rf",\s*{age[1]}\b")
        people = [a for a in people if given.match(text, a.end)] or people
    return people[-1] if people else None


#: An age as news gives it ("the 34-year-old").
_AGE = re.compile(r"(\d{1,3})-year-old")


def pronoun_antecedent(word: str, start: int, candidates: Antecedents) -> Antecedent | None:
    labels = ("PERSON",) if word in PERSON_PRONOUNS else ("ORG", "NORP", "GPE", "PERSON")
    if word in THING_PRONOUNS:
        labels = ("ORG", "GPE")
    window = candidates.ended_before(start)
    for wanted in (labels[:1], labels):
        for a in reversed(window):
            if a.entity.label in wanted:
                return a
    return None


def resolve_mention(
    doc: Doc, mention: Mention, candidates: Antecedents, index: entities_module.MentionIndex, text: str
) -> Speaker:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or not len(span):
        return Speaker(mention.text, None, mention)
    head = span.root
    word = head.lower_
    if len(span) == 1 and word in RELATIVE_PRONOUNS and head.head.dep_ == "relcl" and head.head.head.i != head.i:
        # "Trump, who said ...": the speaker stands at "who", and is whoever "who" stands for.
        antecedent = head.head.head
        target = span.doc[antecedent.left_edge.i : antecedent.i + 1]
        target_mention = Mention(target.text, target.start_char, target.end_char)
        found = resolve_mention(doc, target_mention, candidates, index, text)
        return Speaker(found.name, found.entity_id, mention, found.title)
    if len(span) == 1 and (head.pos_ == "PRON" or word in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS):
        found = pronoun_antecedent(word, mention.start, candidates)
        if found is None:
            return Speaker(mention.text, None, mention)
        return Speaker(found.entity.name, found.entity.entity_id, mention, found.entity.title)
    epithet = epithet_antecedent(span, candidates, text)
    if epithet is not None:
        return Speaker(epithet.entity.name, epithet.entity.entity_id, mention, epithet.entity.title)
    person = person_after(span, index) if head.lemma_.lower() in lexicons.roles() else None
    if person is not None:
        title = " ".join(t.text for t in span if t.lower_ not in _DETERMINERS and not t.is_punct)
        return Speaker(person.name, person.entity_id, mention, entities_module.clean_title(title, person.name))
    entity = entity_in(span, index)
    if entity is not None:
        return Speaker(entity.name, entity.entity_id, mention, title_from(span, entity))
    found = nominal_antecedent(span, candidates, text)
    if found is not None and (head.lemma_.lower() in lexicons.roles() or head.pos_ == "PROPN"):
        title = " ".join(t.text for t in span if t.lower_ not in _DETERMINERS and not t.is_punct)
        title = found.entity.title or entities_module.clean_title(title, found.entity.name)
        return Speaker(found.entity.name, found.entity.entity_id, mention, title)
    return Speaker(mention.text, None, mention)


def resolve_quotes(doc: Doc, quotes: Iterable[Quote]) -> None:
    """Fill `quote.speakers` in text order; resolved speakers become antecedents for later pronouns."""
    quotes = sorted(quotes, key=lambda q: q.start)
    candidates = antecedents(doc, quotes)
    index = entities_module.MentionIndex(doc._.entities or ())
    text = doc_text(doc)
    by_id = {e.entity_id: e for e in doc._.entities or ()}
    for quote in quotes:
        speakers: list[Speaker] = []
        for mention in quote.speaker_mentions:
            speaker = resolve_mention(doc, mention, candidates, index, text)
            if speaker not in speakers:
                speakers.append(speaker)
        quote.speakers = speakers
        # A pronoun speaker resolved to an entity stands for it from now on ("..., he said. He added").
        for s in speakers:
            if s.entity_id in by_id:
                candidates.add(Antecedent(s.mention.start, s.mention.end, by_id[s.entity_id]))


def resolve_speakers(doc: Doc) -> None:
    resolve_quotes(doc, doc._.quotes or ())


@Language.factory(
    "streams_speakers",
    default_config={},
    assigns=["doc._.quotes"],
    requires=["doc._.quotes", "doc._.entities", "token.dep", "token.pos"],
)
def make_speakers(nlp: Language, name: str) -> SpeakerResolver:
    return SpeakerResolver()


class SpeakerResolver:
    """Sets `quote.speakers` on every quote of `doc._.quotes`. Raises on a bug: what becomes of the
    article is the Enricher's decision, not this component's."""

    def __call__(self, doc: Doc) -> Doc:
        resolve_speakers(doc)
        return doc
