"""Canonical entities per article: spaCy's NER mentions grouped under one name with a stable id.

The `streams_entities` component sets two things on a `Doc`; it reads a third:

    doc._.entities  list[Entity], ordered by first mention: name variants, short forms, possessives,
                    acronyms and their long form joined; a person's name without honorifics, middle
                    initials ("Donald J. Trump" is "Donald Trump") or a headline's verb ("Obama Says");
                    titles ("Russian President") split off into `Entity.title` (`clean_title`: a role,
                    never a name or an honorific); labels corrected with the gazetteers of
                    `streams.nlp.gazetteer` and the context rules of `streams.nlp.organizations`.
    doc._.title     the article's title, which is not part of `doc.text`. Set it before the pipeline
                    runs (or put it in `doc.user_data["title"]`) to get `Entity.in_title`:

        doc = nlp.make_doc(text)
        doc._.title = title
        doc = nlp(doc)

Helpers for the other components: `MentionIndex` / `entity_at(doc, start, end)` (the entity with a
mention there), `entity_for_name(doc, "the French leader")` (the entity a free phrase names) and
`clean_title`. Every step is linear in the article's length (indexes, no rescans of all mentions).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from streams.nlp import lexicons, organizations
from streams.nlp.gazetteer import Place, lookup, places
from streams.nlp.records import Entity, Mention

Doc.set_extension("entities", default=None, force=True)
Doc.set_extension("title", default=None, force=True)

#: NER labels we keep as entities (dates, numbers and quantities are not entities here).
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"}
)
#: Labels a gazetteer or context may overrule: the small model's usual confusions for place names.
CORRECTABLE_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC"})
#: What may qualify a title just before it ("Russian President", "Apple CEO", "France's President").
QUALIFIER_LABELS = frozenset({"NORP", "GPE", "ORG", "LOC"})
PLACE_LABELS = frozenset({"GPE", "LOC"})
#: Labels whose single-word mentions may be a person's surname mislabelled ("Putin" as ORG).
SURNAME_LABELS = frozenset({"PERSON", "ORG", "GPE"})
#: Words left out of an acronym's letters ("Commonwealth of Independent States" -> CIS).
ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "de", "&"})
DETERMINERS = frozenset({"the", "a", "an"})
POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
ALIAS_CUES = (("also", "known", "as"), ("known", "as"), ("formerly",), ("aka",), ("a.k.a.",))
ALIAS_FIRST_WORDS = frozenset(cue[0] for cue in ALIAS_CUES)
#: Words that end a title: what follows is a clause about the person ("senator who backs Rubio").
TITLE_ENDS = frozenset({"who", "which", "whose", "after"})
MAX_TITLE_WORDS = 8
#: A word of a title: letters, digits and . ' ’ & - only (no markup: 'author="@edhenry').
_TITLE_WORD = re.compile(r"^[\w.'’&-]+$")


def entity_id(name: str, label: str) -> str:
    """Stable across articles: the same canonical name and label always give the same id."""
    digest = hashlib.sha1(f"{label}\x1f{name.casefold()}".encode()).hexdigest()
    return f"ent_{digest[:16]}"


# ---------------------------------------------------------------------------------------------
# Lexicons (data files), read once per process.


def titles() -> frozenset[tuple[str, ...]]:
    return lexicons.phrases("titles.txt")


def honorifics() -> frozenset[tuple[str, ...]]:
    return lexicons.phrases("honorifics.txt")


def title_modifiers() -> frozenset[tuple[str, ...]]:
    return lexicons.phrases("title_modifiers.txt")


@lru_cache(maxsize=1)
def place_nouns() -> dict[str, str]:
    return {row[0]: row[1] for row in lexicons.rows("place_nouns.txt")}


@lru_cache(maxsize=1)
def reporting_verb_forms() -> frozenset[str]:
    """Inflected forms of the cue verbs ("says", "slams", "warned", "said"), not their base forms: a
    base form is a name too often ("Post", "Frame")."""
    forms = set(lexicons.words("reporting_verbs_irregular.txt"))
    for lemma in lexicons.cues():
        if " " in lemma:
            continue
        forms |= {lemma + "s", lemma + "es", lemma + "ed", lemma + "d"}
        if lemma.endswith("y"):
            forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    return frozenset(forms)


@lru_cache(maxsize=1)
def _max_title_len() -> int:
    return max(len(t) for t in titles() | honorifics() | title_modifiers())


def role_words() -> frozenset[str]:
    return lexicons.roles()


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    """Every word that can carry a title: role nouns and the words of the title phrases."""
    return role_words() | {word for phrase in titles() for word in phrase}


@lru_cache(maxsize=1)
def honorific_words() -> frozenset[str]:
    return frozenset(phrase[0] for phrase in honorifics() if len(phrase) == 1)


def warm_up() -> None:
    """Build every lookup now, so that the first article does not pay for it."""
    places()
    place_nouns()
    title_words()
    honorific_words()
    reporting_verb_forms()
    _max_title_len()


def title_word(text: str) -> str:
    """How a word is looked up in the title lexicons: lower case, no abbreviation dot."""
    return text.lower().rstrip(".")


def is_demonym(text: str) -> bool:
    place = lookup(text)
    return place is not None and place.kind == "demonym"


def has_alnum(word: str) -> bool:
    return any(c.isalnum() for c in word)


def clean_title(text: str, name: str = "") -> str | None:
    """A role as a person's title ("Secretary of State", "GOP presidential candidate"), or None.

    Honorifics go ("candidate Dr." -> "candidate"); a relative clause or what follows a comma goes;
    a phrase with no role word of a person ("MacNab", "campaign"), holding the person's own name or
    markup, or longer than MAX_TITLE_WORDS is no title.
    """
    words: list[str] = []
    for word in text.split():
        if word.lower() in TITLE_ENDS or word in (",", ";", "(", ")"):
            break
        if title_word(word) not in honorific_words():
            words.append(word)
    while words and (words[0] in POSSESSIVES or words[0].lower() in DETERMINERS or not has_alnum(words[0])):
        words = words[1:]
    while words and not has_alnum(words[-1]):
        words.pop()
    own = set(name.split())
    if not words or len(words) > MAX_TITLE_WORDS or any(w in own or not _TITLE_WORD.match(w) for w in words):
        return None
    # A person's role: "campaign" or "company" names an organisation ("the Trump campaign said").
    if not any(title_word(w) in title_words() and title_word(w) not in organizations.org_nouns() for w in words):
        return None
    return " ".join(words)


# ---------------------------------------------------------------------------------------------
# Mentions: one per NER span, its name trimmed of determiners, possessives and titles.


@dataclass(slots=True)
class RawMention:
    start: int  # token offsets of the name in the doc
    end: int
    label: str  # spaCy's label
    text: str
    title: str | None = None  # role phrase before the name, honorifics excluded
    has_title: bool = False  # a title or honorific stood before it: a person, whatever the gazetteer says
    forced: str | None = None  # label set by a gazetteer or by context, stronger than spaCy's
    place: Place | None = None

    @property
    def words(self) -> list[str]:
        return self.text.split()


def match_phrase_ending(doc: Doc, end: int, lexicon: frozenset[tuple[str, ...]]) -> int:
    """Length of the longest lexicon phrase made of the tokens just before `end` (0 if none)."""
    longest = min(_max_title_len(), end)
    words = tuple(title_word(t.text) for t in doc[end - longest : end])
    for n in range(longest, 0, -1):
        if words[longest - n :] in lexicon:
            return n
    return 0


def match_phrase_starting(doc: Doc, start: int, end: int, lexicon: frozenset[tuple[str, ...]]) -> int:
    """Length of the longest lexicon phrase made of the tokens from `start` on, before `end` (0 if none)."""
    longest = min(_max_title_len(), end - start)
    words = tuple(title_word(t.text) for t in doc[start : start + longest])
    for n in range(longest, 0, -1):
        if words[:n] in lexicon:
            return n
    return 0


def trim(doc: Doc, start: int, end: int, label: str = "") -> tuple[int, int]:
    """Drop what NER spans carry at their edges: "the", possessive "'s", punctuation, line breaks.

    A title keeps its article ("A World of Things"), only "the" goes.
    """
    for i in range(start, end):  # a line break inside a span ends it: headlines run into text
        if doc[i].is_space or "\n" in doc[i].text:
            end = i
            break
    determiners = {"the"} if label == "WORK_OF_ART" else DETERMINERS
    while start < end and (doc[start].is_punct or doc[start].lower_ in determiners):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].text in POSSESSIVES):
        end -= 1
    return start, end


def without_headline_verb(doc: Doc, start: int, end: int) -> int:
    """The end of a person's name that NER ran into a headline ("Obama Says", "Trump Says He Never")."""
    for i in range(start + 1, end):
        if doc[i].text[:1].isupper() and doc[i].lower_ in reporting_verb_forms():
            return i
    return end


def with_surname(doc: Doc, start: int, end: int, ent_starts: dict[int, int]) -> int:
    """The end of a one-word person's name that NER stopped short of its surname after a title
    ("Senator [Jane] Doe:", where the small model takes "Doe" for a noun): the next word, when it is a
    capitalised name word in no entity of its own, not an organisation's noun ("Administration") and not
    a headline verb ("Says"). Only after a title or honorific: elsewhere a lone first word is as likely a
    surname ("Trump Tower")."""
    following = doc[end] if end < len(doc) else None
    if following is None or end in ent_starts or not doc[end - 1].whitespace_ or following.pos_ != "PROPN":
        return end
    word = following.text
    if not (word.isalpha() and word[:1].isupper() and not word.isupper()):
        return end
    if word.lower() in organizations.org_nouns() or word.lower() in reporting_verb_forms():
        return end
    titled = match_phrase_ending(doc, start, titles()) or match_phrase_ending(doc, start, honorifics())
    return end + 1 if titled else end


def with_particle_surname(doc: Doc, start: int, end: int) -> int:
    """The end of a person's name that NER cut at or before its particles ("[Ursula von der] Leyen",
    "[Erik] ten Hag"): the particles (`name_particles.txt`) and the capitalised surname after them."""
    particles = lexicons.words("name_particles.txt")
    i = end
    while i < len(doc) and i - end < _MAX_PARTICLES and doc[i].text in particles:
        i += 1
    # Ending in a particle, the mention needs the surname; otherwise only particles NER left out.
    if i == end and doc[end - 1].text not in particles:
        return end
    if i >= len(doc) or not (doc[i].is_alpha and doc[i].is_title):
        return end
    return i + 1


#: The most particles between a given name and a surname ("de la", "van der").
_MAX_PARTICLES = 2


def strip_person_prefix(doc: Doc, start: int, end: int) -> int:
    """Where the name starts inside a PERSON span that begins with a title or an adjective.

    "President Vladimir Putin" -> "Vladimir Putin"; "Russian Vladimir Putin" -> "Vladimir Putin".
    The span is kept whole when nothing would be left of it.
    """
    lexicon = titles() | honorifics() | title_modifiers()
    i = start
    while i < end:
        n = match_phrase_starting(doc, i, end, lexicon)
        if not n and is_demonym(doc[i].text):
            n = 1
        if not n or i + n >= end:
            break
        i += n
    return i


def title_start(doc: Doc, name_start: int, ent_starts: dict[int, int]) -> tuple[int, bool]:
    """Where the title before a person's name starts, and whether it holds a real title.

    Walks back over title phrases and modifiers ("former"), then over one qualifier: an entity of a
    QUALIFIER_LABELS label or a country adjective, maybe possessive ("France's President").
    """
    i, real, honorific = name_start, False, False
    while i > 0:
        if n := match_phrase_ending(doc, i, titles()):
            real = True
        elif n := match_phrase_ending(doc, i, honorifics()):
            honorific = True
        elif real and (n := match_phrase_ending(doc, i, title_modifiers())):
            pass
        else:
            break
        i -= n
    if not real:
        return (i if honorific else name_start), honorific
    j = i - 1
    if j > 0 and doc[j].text in POSSESSIVES:
        j -= 1
    if j >= 0 and (doc[j].ent_type_ in QUALIFIER_LABELS or is_demonym(doc[j].text)):
        i = ent_starts.get(j, j)
    return i, True


def raw_mentions(doc: Doc) -> list[RawMention]:
    ent_starts = {t: ent.start for ent in doc.ents for t in range(ent.start, ent.end)}
    mentions: list[RawMention] = []
    taken = 0  # the end of a name extended over the entity after it ("Leyen", which NER called a place)
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS or ent.start < taken:
            continue
        start, end = trim(doc, ent.start, ent.end, ent.label_)
        end = organizations.name_end(doc, start, end) if start < end else end
        if start >= end or not any(c.isalpha() for c in doc[start:end].text):  # "3 1 1 1 3": a table row
            continue
        if all(t.pos_ == "PRON" or t.lower_ in ("i", "i.") or t.is_punct for t in doc[start:end]):
            continue  # "So do I.": the small model sometimes calls the writer an organisation
        if ent.label_ == "PERSON":
            end = without_headline_verb(doc, start, end)
        if ent.label_ == "PERSON" and end - start == 1:
            end = with_surname(doc, start, end, ent_starts)
        if ent.label_ == "PERSON":
            end = taken = with_particle_surname(doc, start, end)
        mention = RawMention(start, end, ent.label_, doc[start:end].text)
        if ent.label_ == "PERSON":
            start = strip_person_prefix(doc, start, end)
            t_start, mention.has_title = title_start(doc, start, ent_starts)
            mention.start, mention.text = start, doc[start:end].text
            title_tokens = [t for t in doc[t_start:start] if (title_word(t.text),) not in honorifics()]
            if title_tokens and title_tokens[-1].i == start - 1:
                mention.title = clean_title(doc[title_tokens[0].i : start].text, mention.text)
        mentions.append(mention)
    return mentions


# ---------------------------------------------------------------------------------------------
# Label correction: gazetteers and context, per mention.


def context_place_label(span: Span) -> str | None:
    """A place label when the syntax says the mention is a place.

    "Upper Karabakh, a territory ..." (apposition), "the Donbas region" (compound head),
    "the region of Kursk" (of-complement).
    """
    nouns = place_nouns()
    root: Token = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.lemma_.lower() in nouns:
            return nouns[child.lemma_.lower()]
    head = root.head
    if root.dep_ == "appos" and head.lemma_.lower() in nouns and head.i >= span.end:
        return nouns[head.lemma_.lower()]
    # "the Donbas region", not "Donkey Party territory" (a figure of speech more often than not).
    dets = any(c.dep_ == "det" for c in head.children)
    if root.dep_ == "compound" and dets and head.lemma_.lower() in nouns and head.i >= span.end:
        return nouns[head.lemma_.lower()]
    if root.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in nouns:
        return nouns[head.head.lemma_.lower()]
    if root.dep_ == "nsubj" and head.lemma_ == "be":  # "X is a territory"
        for attr in head.children:
            if attr.dep_ == "attr" and attr.lemma_.lower() in nouns:
                return nouns[attr.lemma_.lower()]
    return None


@lru_cache(maxsize=1)
def _roles_only_people_hold() -> frozenset[str]:
    return lexicons.person_roles() - lexicons.words("organisation_held_roles.txt")


def context_person_label(span: Span) -> str | None:
    """PERSON for a name in apposition with a person's role, which the small model often calls an
    organisation or a place (one the gazetteer does not know): "The union's president, Lana Payne, ...",
    "Lana Payne, the union's president, ..."."""
    if len(span) < 2 or not all(t.is_title for t in span):
        return None  # a name: "Lana Payne", not "CBC" or "the Teamsters"
    root: Token = span.root
    roles = _roles_only_people_hold()
    if root.dep_ == "appos" and root.head.i < span.start and root.head.lemma_.lower() in roles:
        return "PERSON"
    after = [c for c in root.children if c.dep_ == "appos" and c.i >= span.end]
    return "PERSON" if after and after[0].lemma_.lower() in roles else None


def correct_label(doc: Doc, mention: RawMention, name_parts: set[str]) -> None:
    """Set `mention.forced` from the gazetteers, then from context.

    A single word NER calls a person and that is part of a person's full name in this article stays
    a person ("Jordan" with "Michael Jordan"), as does anything with a title before it ("Queen Victoria").
    """
    if mention.label not in CORRECTABLE_LABELS or mention.has_title or mention.forced:
        return
    if mention.label == "PERSON" and len(mention.words) == 1 and mention.text in name_parts:
        return
    if organizations.org_context(doc, mention.start, mention.end):
        mention.forced = "ORG"
        return
    place = lookup(mention.text)
    if place is not None:
        mention.place, mention.forced = place, place.label
        return
    span = doc[mention.start : mention.end]
    if mention.label in ("PERSON", "ORG"):
        mention.forced = context_place_label(span)
    if mention.label in ("ORG", "GPE") and mention.forced is None:
        mention.forced = context_person_label(span)


def correct_labels(doc: Doc, mentions: list[RawMention]) -> None:
    # Multi-word mentions first: a place wrongly called PERSON ("Upper Karabakh") must not shield
    # its words as a person's name parts.
    for mention in mentions:
        if len(mention.words) > 1:
            correct_label(doc, mention, set())
    name_parts = {
        word for m in mentions if m.label == "PERSON" and m.forced is None and len(m.words) > 1 for word in m.words
    }
    for mention in mentions:
        if len(mention.words) == 1:
            correct_label(doc, mention, name_parts)


# ---------------------------------------------------------------------------------------------
# Grouping mentions into entities.


@dataclass(slots=True)
class Group:
    mentions: list[RawMention] = field(default_factory=list)
    label: str = ""

    @property
    def forms(self) -> list[str]:
        return list(dict.fromkeys(m.text for m in self.mentions))

    @property
    def first(self) -> int:
        return min(m.start for m in self.mentions)


_INITIAL = re.compile(r"^[A-Z]\.?$")


def without_middle_initials(name: str) -> str:
    """ "Donald J. Trump" -> "Donald Trump": a middle initial makes no other person."""
    words = name.split()
    if len(words) <= 2:
        return name
    return " ".join([words[0], *(w for w in words[1:-1] if not _INITIAL.match(w)), words[-1]])


def text_key(text: str) -> str:
    """Spelling-insensitive key: "the U.S." and "US" and "us" share one."""
    return " ".join(text.replace(".", "").casefold().split())


def vote_label(mentions: Iterable[RawMention]) -> str:
    """Gazetteer or context labels win over spaCy's; then a person's full name makes a person;
    then the most frequent label, earliest first."""
    ordered = sorted(mentions, key=lambda m: m.start)
    forced = Counter(m.forced for m in ordered if m.forced)
    if forced:
        return forced.most_common(1)[0][0]
    if any(m.label == "PERSON" and len(m.words) > 1 for m in ordered):
        return "PERSON"
    return Counter(m.label for m in ordered).most_common(1)[0][0]


def is_person(mention: RawMention) -> bool:
    return (mention.forced or mention.label) == "PERSON"


def group_mentions(mentions: list[RawMention]) -> list[Group]:
    """Full names first; a lone surname or given name joins the full name it belongs to."""
    groups: list[Group] = []
    by_key: dict[str, Group] = {}
    for m in mentions:
        if is_person(m) and len(m.words) > 1:
            key = "PERSON:" + text_key(without_middle_initials(m.text))
            if key not in by_key:
                by_key[key] = Group(label="PERSON")
                groups.append(by_key[key])
            by_key[key].mentions.append(m)
    full_names = merge_name_variants(groups)
    people = PeopleIndex(full_names)
    groups = list(full_names)
    for m in mentions:
        if is_person(m) and len(m.words) > 1:
            continue
        group = None
        if len(m.words) == 1 and not m.forced and m.label in SURNAME_LABELS:
            group = people.person_for_word(m)
        if group is None:
            key = "place:" + m.place.key if m.place and m.place.kind == "country" else text_key(m.text)
            if m.place and m.place.kind == "demonym":
                key = "demonym:" + text_key(m.text)
            if key not in by_key:
                by_key[key] = Group()
                groups.append(by_key[key])
            group = by_key[key]
        group.mentions.append(m)
    groups = [g for g in groups if g.mentions]
    for g in groups:
        g.label = vote_label(g.mentions)
    return groups


def merge_name_variants(full_names: list[Group]) -> list[Group]:
    """ "Vladimir Putin" and "Vladimir Vladimirovich Putin": same first and last word, one person.

    The names sharing a first and a last word join the one with the most words (the earliest on ties).
    """
    by_ends: dict[tuple[str, str], list[Group]] = {}
    for group in full_names:
        words = group.mentions[0].words
        by_ends.setdefault((words[0], words[-1]), []).append(group)
    kept = []
    for same in by_ends.values():
        longest = max(same, key=lambda g: (max(len(m.words) for m in g.mentions), -g.first))
        for group in same:
            if group is not longest:
                longest.mentions.extend(group.mentions)
        kept.append(longest)
    return sorted(kept, key=lambda g: g.first)


class PeopleIndex:
    """The article's full names by surname and by given name, for the single words that name them.

    For each word, the places where the people it may name are mentioned, in text order: the person
    mentioned last before a word is found by bisection, whatever the number of people.
    """

    def __init__(self, full_names: list[Group]) -> None:
        people: dict[tuple[int, str], dict[int, Group]] = {}
        for group in full_names:
            for position in (-1, 0):
                for m in group.mentions:
                    people.setdefault((position, m.words[position]), {})[id(group)] = group
        self.places: dict[tuple[int, str], list[tuple[int, int]]] = {}
        self.groups: dict[tuple[int, str], list[Group]] = {}
        for key, found in people.items():
            groups = sorted(found.values(), key=lambda g: g.first)
            self.groups[key] = groups
            self.places[key] = sorted((m.start, index) for index, g in enumerate(groups) for m in g.mentions)

    def person_for_word(self, mention: RawMention) -> Group | None:
        """By surname first, then by given name; the person named nearest before the word wins (the
        first named, when none is before it)."""
        for position in (-1, 0):
            key = (position, mention.text)
            if key in self.groups:
                places = self.places[key]
                i = bisect.bisect_left(places, (mention.start, -1))
                return self.groups[key][places[i - 1][1] if i else 0]
        return None


def merge(keep: Group, gone: Group) -> None:
    """Move `gone`'s mentions to `keep`; `gone` is left empty, dropped by `alive`."""
    keep.mentions.extend(gone.mentions)
    gone.mentions = []
    keep.label = vote_label(keep.mentions)


def alive(groups: list[Group]) -> list[Group]:
    return [g for g in groups if g.mentions]


def merge_aliases(doc: Doc, groups: list[Group]) -> list[Group]:
    """ "Nagorno-Karabakh, also known as Upper Karabakh": two names of one entity."""
    group_at = {m.start: g for g in groups for m in g.mentions}
    for group in groups:
        for m in list(group.mentions):
            i = m.end
            while i < len(doc) and doc[i].text in (",", "("):
                i += 1
            if i >= len(doc) or doc[i].lower_ not in ALIAS_FIRST_WORDS:
                continue
            for cue in ALIAS_CUES:
                if tuple(t.lower_ for t in doc[i : i + len(cue)]) == cue:
                    other = group_at.get(i + len(cue))
                    found = other is not None and other is not group and other.mentions and group.mentions
                    if found and can_alias(group, other):
                        moved = other.mentions
                        merge(group, other)
                        group_at.update({mm.start: group for mm in moved})
                    break
    return alive(groups)


def can_alias(a: Group, b: Group) -> bool:
    """Two names of one thing: both people or both not, unless the other side is a known place or
    organisation (NER often calls a region a PERSON: "also known as Upper Karabakh")."""
    if (a.label == "PERSON") == (b.label == "PERSON"):
        return True
    other = b if a.label == "PERSON" else a
    return any(m.forced for m in other.mentions)


def initials(text: str) -> str:
    """ "Commonwealth of Independent States" -> "CIS", "Trans-Pacific Partnership" -> "TPP"."""
    return "".join(w[0] for w in re.split(r"[\s-]+", text) if w and w.lower() not in ACRONYM_SKIP).upper()


def is_acronym(text: str) -> bool:
    bare = text.replace(".", "")
    return 2 <= len(bare) <= 6 and bare.isalpha() and bare.isupper()


def is_long_form(text: str) -> bool:
    """Several written-out words ("European Union"), not a phrase holding an acronym ("U.S. Senate")."""
    words = [w for w in re.split(r"[\s-]+", text) if w and w.lower() not in ACRONYM_SKIP]
    return len(words) > 1 and all(w[0].isupper() and any(c.islower() for c in w) for w in words)


def spells(acronym: str, long_form: str) -> bool:
    """Whether an acronym is made of the long form's initials ("NATO", "CIS"), dots aside."""
    return is_long_form(long_form) and acronym.replace(".", "").upper() == initials(long_form)


def merge_acronyms(doc: Doc, groups: list[Group]) -> list[Group]:
    """Join "EU" to "European Union" and "CIS" to "Commonwealth of Independent States".

    An acronym the article defines in brackets after the long form is found even where NER missed it.
    """
    defined: dict[str, Group] = {}
    for group in groups:
        if group.label == "PERSON":
            continue
        for m in group.mentions:
            after = doc[m.end : m.end + 3]
            bracketed = len(after) == 3 and after[0].text == "(" and after[2].text == ")"
            # The letters must spell the long form: "NEW YORK (AFP)" is a dateline, not a definition.
            if bracketed and is_acronym(after[1].text) and spells(after[1].text, m.text):
                defined.setdefault(after[1].text, group)
    if defined:
        add_acronym_mentions(doc, defined)
    long_forms: dict[str, dict[int, Group]] = {}
    for group in groups:
        if group.label != "PERSON":
            for form in group.forms:
                if is_long_form(form):
                    long_forms.setdefault(initials(form), {})[id(group)] = group
    for group in groups:
        if group.label == "PERSON" or not group.mentions:
            continue
        forms = group.forms
        acronyms = {f.replace(".", "") for f in forms if is_acronym(f)}
        if len(acronyms) != 1 or not all(is_acronym(f) for f in forms):
            continue
        targets = [g for g in long_forms.get(acronyms.pop(), {}).values() if g is not group and g.mentions]
        if len(targets) == 1:
            merge(targets[0], group)
    return alive(groups)


def add_acronym_mentions(doc: Doc, defined: dict[str, Group]) -> None:
    """Every token spelling a defined acronym that NER left out becomes a mention of its long form."""
    taken = {(id(g), m.start) for g in defined.values() for m in g.mentions}
    for token in doc:
        group = defined.get(token.text)
        if group is not None and (id(group), token.i) not in taken and not token.ent_type_:
            label = group.mentions[0].forced or group.mentions[0].label
            group.mentions.append(RawMention(token.i, token.i + 1, label, token.text))


def propagate_place_labels(groups: list[Group], name_parts: set[str]) -> None:
    """ "Karabakh" is a place when "Upper Karabakh" or "Nagorno-Karabakh" is one in the same article."""
    heads = {}
    for group in groups:
        if group.label in PLACE_LABELS:
            for form in group.forms:
                words = re.split(r"[\s-]+", form)
                if len(words) > 1:
                    heads.setdefault(words[-1], group.label)
    for group in groups:
        lone = group.label in ("PERSON", "ORG") and len(group.forms) == 1 and group.forms[0] not in name_parts
        if lone and (label := heads.get(group.forms[0])):
            group.label = label


# ---------------------------------------------------------------------------------------------
# Entities.


def canonical_name(group: Group) -> str:
    """The longest clean full form: most words, then most characters; acronyms only if nothing else.
    A person's name goes without middle initials."""
    forms = [f for f in group.forms if not is_acronym(f)] or group.forms
    if group.label == "PERSON":
        forms = list(dict.fromkeys(without_middle_initials(f) for f in forms))
    return max(forms, key=lambda f: (len(re.split(r"[\s-]+", f)), len(f), -forms.index(f)))


def preferred_title(group: Group) -> str | None:
    """The most frequent title, the earliest on ties ("French President" x2 over "French leader" x1)."""
    counts = Counter(m.title for m in sorted(group.mentions, key=lambda m: m.start) if m.title)
    return counts.most_common(1)[0][0] if counts else None


def identity_name(group: Group, name: str) -> str:
    """What the id hashes: the gazetteer's name for a country ("Russian Federation" -> "Russia")."""
    keys = {m.place.key for m in group.mentions if m.place and m.place.kind == "country"}
    return keys.pop() if len(keys) == 1 and group.label == "GPE" else name


def to_entity(doc: Doc, group: Group) -> Entity:
    name = canonical_name(group)
    ordered = sorted(group.mentions, key=lambda m: m.start)
    mentions = []
    for m in ordered:
        span = doc[m.start : m.end]
        mentions.append(Mention(span.text, span.start_char, span.end_char))
    return Entity(
        entity_id=entity_id(identity_name(group, name), group.label),
        name=name,
        label=group.label,
        mentions=mentions,
        title=preferred_title(group) if group.label == "PERSON" else None,
        aliases=[f for f in group.forms if f != name],
        titles=list(dict.fromkeys(m.title for m in ordered if m.title)) if group.label == "PERSON" else [],
    )


def doc_title(doc: Doc) -> str | None:
    return doc._.title or doc.user_data.get("title")


def occurs_in(entity: Entity, text: str) -> bool:
    """Whether a name of the entity, or a person's surname, is a whole word sequence of `text`."""
    forms = [entity.name, *entity.aliases]
    if entity.label == "PERSON":
        forms.append(entity.name.split()[-1])
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)"
    return re.search(pattern, text) is not None


def is_full_name_within(mention: RawMention, start: int, end: int) -> bool:
    """A person's full name inside a results line's name ("Nick Faldo 69": a player, not a club)."""
    return mention.label == "PERSON" and len(mention.words) > 1 and start <= mention.start and mention.end <= end


def with_teams(doc: Doc, mentions: list[RawMention]) -> list[RawMention]:
    """The mentions with the clubs of sports results lines as organisations, in place of the places or
    people NER saw there (a person's full name is left alone: golf and tennis tables list players)."""
    spans = organizations.team_spans(doc)
    if not spans:
        return mentions
    at_token = {t: index for index, m in enumerate(mentions) for t in range(m.start, m.end)}
    replaced: set[int] = set()
    teams = []
    for start, end in spans:
        hit = {at_token[t] for t in range(start, end) if t in at_token}
        if any(is_full_name_within(mentions[i], start, end) for i in hit):
            continue
        replaced |= hit
        teams.append(RawMention(start, end, "ORG", doc[start:end].text, forced="ORG"))
    kept = [m for index, m in enumerate(mentions) if index not in replaced]
    return sorted(kept + teams, key=lambda m: m.start)


def canonical_entities(doc: Doc) -> list[Entity]:
    mentions = with_teams(doc, raw_mentions(doc))
    correct_labels(doc, mentions)
    groups = group_mentions(mentions)
    groups = merge_aliases(doc, groups)
    groups = merge_acronyms(doc, groups)
    name_parts = {w for g in groups if g.label == "PERSON" for f in g.forms if len(f.split()) > 1 for w in f.split()}
    propagate_place_labels(groups, name_parts)
    groups.sort(key=lambda g: g.first)
    entities = [to_entity(doc, g) for g in groups]
    if title := doc_title(doc):
        for entity in entities:
            entity.in_title = occurs_in(entity, title)
    return entities


# ---------------------------------------------------------------------------------------------
# Look-ups for other components.


class MentionIndex:
    """The mentions of a doc's entities in text order: what stands at or inside a character span,
    found by bisection (a speaker component asks once per quote: no rescan of every mention)."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        spans = sorted(((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda s: (s[0], s[1]))
        self.starts = [s[0] for s in spans]
        self.ends = [s[1] for s in spans]
        self.entities = [s[2] for s in spans]
        self.reach = list(accumulate(self.ends, max))  # the furthest end of any mention so far

    def at(self, start: int, end: int) -> Entity | None:
        """The entity of the first mention (in text order) overlapping [start, end)."""
        found = None
        i = bisect.bisect_left(self.starts, end) - 1
        while i >= 0 and self.reach[i] > start:
            if self.ends[i] > start:
                found = self.entities[i]
            i -= 1
        return found

    def inside(self, start: int, end: int) -> list[Entity]:
        """The entities with a mention inside [start, end), in text order, each once."""
        i = bisect.bisect_left(self.starts, start)
        found: dict[str, Entity] = {}
        while i < len(self.starts) and self.starts[i] < end:
            if self.ends[i] <= end:
                found.setdefault(self.entities[i].entity_id, self.entities[i])
            i += 1
        return list(found.values())


def entity_at(doc: Doc, start: int, end: int) -> Entity | None:
    """The canonical entity with a mention overlapping the character span [start, end)."""
    return MentionIndex(doc._.entities or ()).at(start, end)


def split_title(text: str) -> tuple[str, str]:
    """("Russian President", "Vladimir Putin") from "Russian President Vladimir Putin's"."""
    words = text.replace("’", "'").split()
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    if words and words[-1].endswith("'s"):
        words[-1] = words[-1][:-2]
    elif words and words[-1].endswith("'"):
        words[-1] = words[-1][:-1]
    lexicon = titles() | honorifics()
    lowered = [title_word(w) for w in words]
    cut = 0
    for i in range(len(words)):
        for n in range(min(_max_title_len(), len(words) - i), 0, -1):
            if tuple(lowered[i : i + n]) in lexicon:
                cut = max(cut, i + n)
                break
    return " ".join(words[:cut]), " ".join(words[cut:])


def entity_for_name(doc: Doc, text: str) -> Entity | None:
    """The entity of the doc a phrase names: a full name, a surname or short form, an acronym, or a
    title alone ("the French leader"). None when nothing or more than one entity fits.
    """
    entities = doc._.entities or []
    title, name = split_title(text.strip())
    if name:
        key = text_key(name)
        exact = [e for e in entities if key in {text_key(f) for f in (e.name, *e.aliases)}]
        if len(exact) == 1:
            return exact[0]
        people = [e for e in entities if e.label == "PERSON"]
        for position in (-1, 0):
            found = [e for e in people if text_key(e.name.split()[position]) == key]
            if title and len(found) > 1:
                found = [e for e in found if any(text_key(t).endswith(text_key(title)) for t in e.titles)]
            if len(found) == 1:
                return found[0]
        return None
    if title:
        key = text_key(title)
        found = [e for e in entities if any(text_key(t) == key for t in e.titles)]
        if not found:
            found = [e for e in entities if any(text_key(t).endswith(key) for t in e.titles)]
        if len(found) == 1:
            return found[0]
    return None


@Language.factory(
    "streams_entities",
    default_config={},
    assigns=["doc._.entities"],
    requires=["doc.ents", "token.dep", "token.lemma", "token.pos"],
)
def make_entities(nlp: Language, name: str) -> EntityCanonicalizer:
    return EntityCanonicalizer()


class EntityCanonicalizer:
    """Sets `doc._.entities` (reads `doc._.title` when set). Raises on a bug, like every component."""

    def __init__(self) -> None:
        warm_up()  # cached per process: a second pipeline costs nothing

    def __call__(self, doc: Doc) -> Doc:
        doc._.entities = canonical_entities(doc)
        return doc


__all__ = [
    "ENTITY_LABELS",
    "EntityCanonicalizer",
    "MentionIndex",
    "canonical_entities",
    "clean_title",
    "entity_at",
    "entity_for_name",
    "entity_id",
    "split_title",
]
