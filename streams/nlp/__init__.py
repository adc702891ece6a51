"""The spaCy side of streams: `load()` gives a pipeline whose `Doc`s carry quotes and entities.

nlp = streams.nlp.load()
doc = nlp(text)
doc._.entities   # list[Entity], canonical, with stable ids
doc._.quotes     # list[Quote], each with its resolved speakers and cue
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

# Importing the component modules registers their factories with spaCy.
from streams.nlp import entities, paragraphs, quotes, speakers  # noqa: F401

#: Our components, in pipeline order: the first runs before the model's own, the others after.
COMPONENTS = ("streams_paragraphs", "streams_entities", "streams_quotes", "streams_speakers")
#: Components that set what the model's parser then reads.
BEFORE_MODEL = frozenset({"streams_paragraphs"})

#: Model components nothing of ours reads; excluding them saves parse time.
UNUSED_MODEL_COMPONENTS = ("senter",)


def load(model: str | None = None) -> Language:
    """Load the spaCy model (a package name or a path) and add our components after its own."""
    if model is None:
        from streams.settings import get_settings

        model = get_settings().spacy_model
    nlp = spacy.load(model, exclude=list(UNUSED_MODEL_COMPONENTS))
    for name in COMPONENTS:
        if name in BEFORE_MODEL:
            nlp.add_pipe(name, first=True)
        else:
            nlp.add_pipe(name)
    return nlp


@lru_cache(maxsize=4)
def shared(model: str | None = None) -> Language:
    """One pipeline per process and model: loading costs about a second."""
    return load(model)


__all__ = ["COMPONENTS", "load", "shared"]
