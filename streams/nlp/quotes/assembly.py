"""From what a construction found (content tokens, a cue, speaker heads) to a candidate quote.

Content keeps to the cue's paragraph, loses the writer's trailing asides, and stretches to the whole
quotations it touches (the parser cuts long quotations at sentence ends).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Token

from streams.nlp.quotes.candidates import Article, Candidate, CharSpan
from streams.nlp.quotes.content import drop_asides, drop_fronted_concession, runs, trim
from streams.nlp.quotes.speaker_phrases import speaker_spans, subject_of_clause_before
from streams.nlp.quotes.syntax import dateline_dash


def lost_subject(article: Article, cue: Token) -> list[Token]:
    """A finite cue whose subject the parser attached elsewhere: the nominal right before it ("About
    4 in 10 say ..." too), or before the apposition that follows it (", Ramos, 58, told ..."), or the
    subject opening a clause the parser made of the speaker's long phrase ("Jane Doe, a rabbi helping
    ..., said he ...").

    ("... accuses Russia of\\nFrench President Macron accuses Russia of ...": a cut headline swallows
    the second subject.) Only in the cue's paragraph, and never a word inside quotation marks.
    """
    if cue.tag_ not in ("VBZ", "VBD", "VBP") or cue.i == 0:
        return []
    doc = article.doc
    prev = doc[cue.i - 1]
    while prev.pos_ == "ADV" and prev.i > 0:
        prev = doc[prev.i - 1]
    if prev.text == "," and prev.i > 1:
        # `"...," Ramos, 58, told AFP`, `his top aide, Tad Devine, told ...`: the name an apposition
        # set off by commas follows, the apposition's head.
        appos = next((t for t in (doc[prev.i - 1], *doc[prev.i - 1].ancestors) if t.dep_ == "appos"), None)
        if appos is None or appos.head.i >= appos.i or appos.head.pos_ not in ("PROPN", "NOUN"):
            return _unquoted(article, subject_of_clause_before(cue))
        prev = appos.head
    # "That attitude, many argue, could ...": a quantifier the parser hung on the cue as an adjective.
    nominal = prev.pos_ in ("PROPN", "NOUN", "PRON", "NUM") or (prev.dep_ == "amod" and prev.head.i == cue.i)
    if not nominal or article.quoted(prev) or prev.is_space:
        return _unquoted(article, subject_of_clause_before(cue))
    if article.paragraph_of(prev.idx) != article.paragraph_of(cue.idx):
        return []
    return [prev]


def _unquoted(article: Article, heads: list[Token]) -> list[Token]:
    return [h for h in heads if not article.quoted(h)]


#: The most tokens between a speaker and the comma closing the aside after it.
_ASIDE_TOKENS = 40


def interrupted_subject(article: Article, cue: Token) -> list[Token]:
    """`One attendee, who spoke on condition of anonymity, said ...`, `Clinton, exasperated, responded`:
    a finite cue right after a comma whose subject the parser gave to the verb of the aside between
    them. The nominal before the aside's opening comma, in the cue's sentence and paragraph."""
    if cue.tag_ not in ("VBZ", "VBD", "VBP") or cue.i < 3:
        return []
    doc = article.doc
    prev = doc[cue.i - 1]
    while prev.pos_ == "ADV" and prev.i > 0:
        prev = doc[prev.i - 1]
    if prev.text != ",":
        return []
    sentence = article.sentence_of(cue)
    # An aside of a few dozen words at most: never read a whole (hostile) sentence per cue.
    for tok in reversed(doc[max(sentence.start, prev.i - _ASIDE_TOKENS) : prev.i]):
        if tok.dep_ != "nsubj" or tok.pos_ not in ("PROPN", "NOUN") or article.quoted(tok):
            continue
        aside = tok.head
        opens = tok.i + 1 < prev.i and doc[tok.i + 1].text == ","
        if opens and tok.i < aside.i < prev.i and article.paragraph_of(tok.idx) == article.paragraph_of(cue.idx):
            return [tok]
        return []
    return []


def speakers(article: Article, heads: Sequence[Token], cue: Token) -> list[CharSpan]:
    """The speaker phrases of the heads, cut to the cue's paragraph."""
    if not heads:
        heads = lost_subject(article, cue) or interrupted_subject(article, cue)
    start, end = article.paragraph_of(cue.idx)
    spans = [(max(s, start), min(e, end)) for s, e in speaker_spans(heads) if s < end and start < e]
    if heads and not spans:
        # "... into the U.S.\nJane Doe added that ...": the parser ran the line before into the cue's and
        # gave the cue that line's subject; the cue's own line names its speaker.
        return speakers(article, [], cue)
    return spans


def in_paragraph(article: Article, tokens: Iterable[Token], anchor: int) -> list[Token]:
    """The tokens in the anchor's paragraph: the parser sometimes runs a headline into the body."""
    start, end = article.paragraph_of(anchor)
    return [t for t in tokens if start <= t.idx < end]


def without_asides(article: Article, content: Sequence[Token]) -> list[Token]:
    """Drop a trailing aside unless it is inside quotation marks (then it is the speaker's)."""
    kept = drop_asides(content, article.cues)
    if len(kept) < len(content) and kept:
        # The first word dropped: inside quotation marks, the aside is the speaker's.
        cut = min((t for t in content if t.i > kept[-1].i), key=lambda t: t.i).idx
        if article.marks.overlapping(cut, cut + 1):
            return list(content)
        # `he was not advocating violence, only a "loud voice."`: quoted words are the speaker's.
        last = max(content, key=lambda t: t.i)
        if _only_quoted_aside(article, cut, last.idx + len(last.text)):
            return list(content)
    return kept or list(content)


def without_dangling_conjunction(content: Sequence[Token]) -> list[Token]:
    """`a big victory in Mississippi and`: the conjunct after "and" was cut as the writer's (the speaker's
    next act, another report), so the conjunction that joined it goes too."""
    kept = sorted(content, key=lambda t: t.i)
    while kept and (kept[-1].is_punct or kept[-1].is_space) and not kept[-1].is_quote:
        kept.pop()
    if len(kept) > 1 and kept[-1].dep_ == "cc":
        return kept[:-1]
    return list(content)


def _only_quoted_aside(article: Article, start: int, end: int) -> bool:
    """Whether the stretch holds a quotation and no cue verb of its own (a second report)."""
    if not article.marks.overlapping(start, end):
        return False
    span = article.span(start, end)
    return span is not None and not any(t.lemma_.lower() in article.cues and t.pos_ == "VERB" for t in span)


def add(
    article: Article, content: Sequence[Token], cue: Token | None, speaker_spans: list[CharSpan]
) -> Candidate | None:
    """A candidate from content tokens: in the cue's paragraph, without asides, in contiguous runs."""
    if cue is not None:
        content = in_paragraph(article, content, cue.idx)
    content = without_asides(article, content)
    content = without_lead_in(article, content, cue)
    content = without_dangling_conjunction(drop_fronted_concession(without_dateline(content), cue))
    fragments = [span for run in runs(content) if (span := trim(run)) is not None]
    return add_fragments(article, bridged(article, fragments, cue, speaker_spans), cue, speaker_spans)


def without_lead_in(article: Article, content: Sequence[Token], cue: Token | None) -> list[Token]:
    """`Doe saw it differently: "We lost," he said.`: a closing cue reports the quotation it follows; the
    writer's clause that a colon ends before the quotation's opening mark only introduces it."""
    if cue is None or not content:
        return list(content)
    kept = sorted(content, key=lambda t: t.i)
    last = kept[-1]
    if cue.i < last.i:
        return kept
    doc = article.doc
    for tok in reversed(kept[:-1]):
        if tok.text != ":" or article.quoted(tok) or not doc[tok.i + 1].is_quote:
            continue
        opening = doc[tok.i + 1].idx
        found = [q for q in article.marks.overlapping(opening, opening + 1) if q.start == opening]
        if found and found[0].end >= last.idx + len(last.text):
            return [t for t in kept if t.i > tok.i]
        break
    return kept


def without_dateline(content: Sequence[Token]) -> list[Token]:
    """`WASHINGTON (AP) — The Pentagon is preparing ..., two officials said`: the story's dateline, which the
    parser ran into its first clause, is no one's words."""
    dash = dateline_dash(content) if content else None
    return list(content) if dash is None else [t for t in content if t.i > dash.i]


def bridged(
    article: Article, fragments: list[CharSpan], cue: Token | None, speaker_spans: list[CharSpan]
) -> list[CharSpan]:
    """Fragments rejoined across a gap that holds neither the cue nor the speaker: the parser left a
    word of the report out of its subtree ("ending what he calls corruption"), it is still the report."""
    joined: list[CharSpan] = []
    for start, end in fragments:
        if joined:
            gap = (joined[-1][1], start)
            holds_cue = cue is not None and gap[0] <= cue.idx < gap[1]
            holds_speaker = any(gap[0] <= s < gap[1] for s, _ in speaker_spans)
            if not holds_cue and not holds_speaker and not article.paragraphs.breaks_between(*gap):
                joined[-1] = (joined[-1][0], end)
                continue
        joined.append((start, end))
    return joined


def add_fragments(
    article: Article, fragments: list[CharSpan], cue: Token | None, speaker_spans: list[CharSpan]
) -> Candidate | None:
    """A candidate from character fragments, each stretched to the whole quotations it touches."""
    quoted: list[CharSpan] = []
    stretched: list[CharSpan] = []
    for start, end in fragments:
        for q in article.marks.overlapping(start, end):
            start, end = min(start, q.start), max(end, q.end)
            if (q.start, q.end) not in quoted:
                quoted.append((q.start, q.end))
        if stretched and start <= stretched[-1][1]:
            stretched[-1] = (stretched[-1][0], max(end, stretched[-1][1]))
        else:
            stretched.append((start, end))
    stretched = [f for f in stretched if article.letters.any(*f)]
    if not stretched:
        return None
    if cue is not None and not quoted and any(s <= cue.idx < e for s, e in stretched):
        return None  # unquoted content around its own cue: the parse went wrong
    if article.has_fragments(stretched):
        return None
    candidate = Candidate(stretched, cue, speaker_spans, quoted)
    article.add(candidate)
    return candidate
