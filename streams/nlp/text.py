"""The article's text as our components read it."""

from __future__ import annotations

from spacy.tokens import Doc

_KEY = ("streams", "text")


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined from the tokens once per Doc.

    spaCy rebuilds `Doc.text` from every token on each access, which costs as much as a pass of a
    component; the text of a Doc never changes, so the first join is kept in `doc.user_data`.
    """
    text = doc.user_data.get(_KEY)
    if text is None:
        text = doc.user_data[_KEY] = doc.text
    return text
