"""Canonical entities per article: spaCy's NER mentions grouped under one name with a stable id."""

from __future__ import annotations

import hashlib

from spacy.language import Language
from spacy.tokens import Doc

from streams.nlp.records import Entity, Mention

Doc.set_extension("entities", default=None, force=True)

#: NER labels we keep as entities.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"})


def entity_id(name: str, label: str) -> str:
    """Stable across articles: the same canonical name and label always give the same id."""
    digest = hashlib.sha1(f"{label}\x1f{name.casefold()}".encode()).hexdigest()
    return f"ent_{digest[:16]}"


def canonical_entities(doc: Doc) -> list[Entity]:
    grouped: dict[tuple[str, str], Entity] = {}
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        key = (ent.text, ent.label_)
        entity = grouped.setdefault(key, Entity(entity_id(ent.text, ent.label_), ent.text, ent.label_))
        entity.mentions.append(Mention(ent.text, ent.start_char, ent.end_char))
    return list(grouped.values())


def entity_at(doc: Doc, start: int, end: int) -> Entity | None:
    """The canonical entity with a mention overlapping the character span [start, end)."""
    for entity in doc._.entities or ():
        if any(m.start < end and start < m.end for m in entity.mentions):
            return entity
    return None


@Language.factory("streams_entities")
def make_entities(nlp: Language, name: str) -> EntityCanonicalizer:
    return EntityCanonicalizer()


class EntityCanonicalizer:
    def __call__(self, doc: Doc) -> Doc:
        doc._.entities = canonical_entities(doc)
        return doc
