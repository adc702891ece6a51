"""Speaker resolution: each quote's speaker mention resolved to a canonical named entity."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


def resolve_speakers(doc: Doc) -> None:
    return None


@Language.factory("streams_speakers")
def make_speakers(nlp: Language, name: str) -> SpeakerResolver:
    return SpeakerResolver()


class SpeakerResolver:
    def __call__(self, doc: Doc) -> Doc:
        resolve_speakers(doc)
        return doc
