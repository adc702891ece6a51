"""The quotations no cue frame covered, one construction each, tried in `QUOTATION_CONSTRUCTIONS` order:
a quotation continues the quote before it, finds a cue near it, is signed, follows a name or a clause and
a colon, is the object of a verb, goes on with the report before it, floats after a report, or follows a
person's sentence."""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc, Span, Token

from streams.nlp import lexicons
from streams.nlp.quotes.assembly import add, add_fragments, in_paragraph, lost_subject, speakers, without_asides
from streams.nlp.quotes.candidates import Article, Candidate, CharSpan
from streams.nlp.quotes.content import trim
from streams.nlp.quotes.cues import (
    CUE_AFTER_TOKENS,
    MAX_CUE_SENTENCE_TOKENS,
    can_show,
    closes_like_speech,
    naming_participle,
)
from streams.nlp.quotes.marks import Quotation
from streams.nlp.quotes.speaker_phrases import subject_heads
from streams.nlp.quotes.syntax import COMPLEMENTS, NOT_REPORTING, is_verb, subtrees

_WORD = re.compile(r"\w+")


#: How far from a quotation its cue is looked for: past any real sentence's length, so results don't
#: change, but bounded, so a run-on stretch with thousands of quotations is not scanned once per quotation.
CUE_SEARCH_TOKENS = 120


_ITEM_DASHES = frozenset({"-", "--", "—", "–", "―"})


#: Words a speaker may take before a colon (`Senator Jane Doe:`): a name with its title, nothing more.
_COLON_SPEAKER_TOKENS = 6


def quotation_marks(article: Article) -> None:
    """Every quotation no cue's frame covered, through the quotation constructions in order."""
    for q in article.marks:
        if article.taken(q.start, q.end) or work_title(article, q):
            continue
        if not quote_like(article, q):
            # `"A," she said. "Short."`: a short quotation opening the next sentence still continues A.
            if not continues_previous(article, q, next_sentence_only=True) and not short_speech(article, q):
                quoted_object(article, q)
            continue
        for construction in QUOTATION_CONSTRUCTIONS:
            if construction(article, q):
                break


def short_speech(article: Article, q: Quotation) -> bool:
    """`"Never!" she shrieked.`: a few words opening the sentence, any verb with its subject after them."""
    if not article.letters.any(q.start, q.end) or not any(ch in "?!" for ch in article.text[q.start : q.end]):
        return False
    return verb_after_quotation(article, q)


def quote_like(article: Article, q: Quotation) -> bool:
    """A quotation worth reporting: a clause or a long phrase, not a title or a scare-quoted word, or
    any quotation in the shape of speech (`"Not yet," said ...`)."""
    span = article.span(q.start, q.end)
    if span is None:
        return False
    words = [t for t in span if t.is_alpha]
    if len(words) >= 6:
        return True
    if len(words) >= 2 and any(is_verb(t) and t.dep_ not in ("amod", "compound") for t in span):
        return True
    return bool(words) and speech_shaped(article, q, span.start, span.end)


def speech_shaped(article: Article, q: Quotation, first: int, after: int) -> bool:
    """A quotation opening its sentence and closing on a comma, a question or an exclamation mark, with a
    cue verb right after it: the news convention for speech, however short (`"Never," she said`)."""
    doc = article.doc
    if first >= 2 and doc[first - 1].text in (",", ":") and _saying(article, doc[first - 2]):
        return True  # `then asked, "Really?"`, `she replied: "No."`: right after its cue
    if not closes_like_speech(article, q):
        return False
    if article.sentence_of(doc[first]).start != first:
        return False  # mid-sentence, a short quotation is a phrase of the writer's sentence
    sentence_end = article.sentence_of(doc[after - 1]).end
    return any(_saying(article, tok) for tok in doc[after : min(after + CUE_AFTER_TOKENS, sentence_end)])


def _saying(article: Article, tok: Token) -> bool:
    """A cue verb of saying (a clause cue) outside quotation marks."""
    frames = article.cues.get(tok.lemma_.lower())
    return frames is not None and "clause" in frames and is_verb(tok) and not article.quoted(tok)


def continues_previous(article: Article, q: Quotation, next_sentence_only: bool = False) -> bool:
    """`"A," he said. "B."` and `"A," he said, "B."`: B continues A when only the cue stands between."""
    # The latest quote before B: a report the cue's sentence goes on with (", emphasizing why ...")
    # stands between them in the text, not in the quote.
    previous = article.latest_quotation_before(q.start)
    if previous is None or previous.cue is None:
        return False
    cue = previous.cue
    if cue.idx > q.start or article.paragraph_of(cue.idx) != article.paragraph_of(q.start):
        return False
    if cue.idx < previous.start:
        return False  # `He said: "A." "B."`: B needs a cue of its own
    sent_end = article.sentence_of(cue).end_char
    if q.start >= sent_end and article.letters.any(sent_end, q.start) and not _linked_only(article, sent_end, q.start):
        return False
    if next_sentence_only and q.start < sent_end:
        return False
    article.add_fragment(_participle_report_after(article, previous, q.start), (q.start, q.end), (q.start, q.end))
    return True


#: The most characters a connective between a sentence's end and a quotation takes (" Instead, ").
_LINK_CHARS = 16


def _linked_only(article: Article, start: int, end: int) -> bool:
    """Whether the words between a sentence's end and a quotation are one connective (`But "B."`,
    `Instead, "B."`, data/connectives.txt): the writer's link, not a clause of narration."""
    if end - start > _LINK_CHARS:
        return False
    words = _WORD.findall(article.text[start:end])
    return len(words) == 1 and words[0].lower() in lexicons.words("connectives.txt")


def _participle_report_after(article: Article, previous: Candidate, offset: int) -> Candidate:
    """`"A," she said, adding that B. "C."`: the quotation after the cue's sentence goes on with what she
    added, the report of an "adding" the cue itself governs, not with A."""
    later = article.latest_before(offset)
    if later is None or later is previous or later.cue is None or previous.cue is None or later.end <= previous.end:
        return previous
    adding, cue = later.cue, previous.cue
    if adding.lemma_.lower() != "add" or adding.tag_ != "VBG" or adding.head.i != cue.i:
        return previous
    return later if offset >= article.sentence_of(cue).end_char else previous


def reported_by_nearby_cue(article: Article, q: Quotation) -> bool:
    """A cue verb near the quotation: joins the quote that cue already has, or makes a new one."""
    cue = nearby_cue(article, q)
    if cue is None or _in_speaker_phrase(article, q, cue):
        return False
    if joins_its_cue(article, q, cue):
        return True
    heads = speakers(article, subject_heads(cue, quoted=article.quoted), cue)
    add_fragments(article, [reported_around(article, q, cue)], cue, heads)
    return True


def _in_speaker_phrase(article: Article, q: Quotation, cue: Token) -> bool:
    """`Hemsley, the co-author of "Going Viral," said ...`: a quotation inside the cue's subject describes
    the speaker (a title, a nickname); it is not what the cue reports."""
    span = article.span(q.start, q.end)
    if span is None:
        return False
    subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < cue.i]
    return any(s.left_edge.i < span.start and span.end - 1 <= s.right_edge.i for s in subjects)


def joins_its_cue(article: Article, q: Quotation, cue: Token) -> bool:
    """`"A," he said, "B."` where the parser gave the cue only B: A joins B's quote."""
    for c in article.with_cue(cue):
        if c.quoted:
            if article.paragraph_of(c.start) != article.paragraph_of(q.start):
                return False
            if _same_clause_runs_on(article, c, q, cue):
                article.stretch_to(c, q.end, (q.start, q.end))
            else:
                article.add_fragment(c, (q.start, q.end), (q.start, q.end))
            return True
    return False


#: The most words between a report's end and a quotation that the report runs on to.
_RUN_ON_TOKENS = 25


def _same_clause_runs_on(article: Article, c: Candidate, q: Quotation, cue: Token) -> bool:
    """`called the governor "the most extreme pick" and someone who had "threatened ..."`: a quotation
    later in the sentence of a report that holds narration (a mixed report) continues that report with
    the words between, unless the cue or the speaker stands there (`"A," he said, "B."`)."""
    end = c.fragments[-1][1]
    if q.start <= end or not article.letters.any(*c.fragments[-1]):
        return False
    if all(s <= c.fragments[-1][0] and c.fragments[-1][1] <= e for s, e in c.quoted):
        return False  # the fragment is a quotation and nothing else: a direct quote, not a report
    if end <= cue.idx < q.start or any(end <= s < q.start for s, _ in c.speakers):
        return False
    gap = article.span(end, q.start)
    if gap is None or len(gap) > _RUN_ON_TOKENS or article.sentence_of(gap[0]) != article.sentence_of(gap[-1]):
        return False
    return not any(t.is_sent_start for t in gap[1:])


def nearby_cue(article: Article, q: Quotation) -> Token | None:
    """A cue verb with a subject in the sentences the quotation touches, or just before a colon."""
    span = article.span(q.start, q.end)
    if span is None:
        return None
    doc = article.doc
    para_start, para_end = article.paragraph_of(q.start)
    first, last = span[0], span[-1]
    lo = article.sentence_of(first).start
    hi = article.sentence_of(last).end
    prev = doc[lo - 1] if lo > 0 else None
    if prev is not None and (prev.text == ":" or (prev.is_punct and doc[max(lo - 2, 0)].text == ":")):
        lo = article.sentence_of(prev).start  # `He said: "..."` split into two sentences
    colon = _colon_closing_previous_line(article, q.start)
    if colon is not None:
        # "He said:" closing one paragraph, the quote opening the next.
        para_start = article.paragraph_of(colon.idx)[0]
        lo = min(lo, article.sentence_of(colon).start)
    if hi < len(doc):
        following = article.sentence_of(doc[hi])
        if len(following) <= 12 and not article.marks.overlapping(following.start_char, following.end_char):
            hi = following.end  # `"...?"` | `Graham asked.`: the parser split the cue off
        else:  # `"...?"` | `he urged them, as he ...`: a longer sentence opening with its cue
            opening = [t for t in following[:3] if is_verb(t) and "clause" in article.cues.get(t.lemma_.lower(), ())]
            if opening and all(t.pos_ in ("PRON", "PROPN") for t in following[: opening[0].i - following.start]):
                hi = opening[0].i + 1
    lo, hi = max(lo, first.i - CUE_SEARCH_TOKENS), min(hi, last.i + 1 + CUE_SEARCH_TOKENS)
    best: tuple[int, Token] | None = None
    for tok in doc[lo:hi]:
        if tok.idx < para_start or tok.idx >= para_end or article.quoted(tok):
            continue
        frames = article.cues.get(tok.lemma_.lower())
        if frames is None or not is_verb(tok) or "clause" not in frames:
            continue
        if not subject_heads(tok, quoted=article.quoted) and not lost_subject(article, tok):
            continue
        distance = min(abs(tok.i - first.i), abs(tok.i - last.i))
        if best is None or distance < best[0]:
            best = (distance, tok)
    return best[1] if best else None


def _colon_closing_previous_line(article: Article, start: int) -> Token | None:
    """The colon ending the line before a quotation that opens its own line, if there is one."""
    last = _end_of_previous_line(article, start)
    return last if last is not None and last.text.endswith(":") else None


def _end_of_previous_line(article: Article, start: int) -> Token | None:
    """The last word of the line before a quotation that opens its own line, if there is one."""
    if start == 0:
        return None
    token = article.doc.char_span(start, start + 1, alignment_mode="expand")
    if token is None:
        return None
    i = token.start - 1
    while i >= 0 and article.doc[i].is_space:
        i -= 1
    if i < 0:
        return None
    last = article.doc[i]
    return last if article.paragraphs.breaks_between(last.idx, start) else None


def reported_around(article: Article, q: Quotation, cue: Token) -> CharSpan:
    """A quoted fragment after its cue, mid-sentence, is part of what the cue reports: the rest of the
    sentence ("urged the council to "act now" and consider sanctions"). A quote that opens its
    sentence stands alone."""
    span = article.span(q.start, q.end)
    if span is None:
        return q.start, q.end
    sent = article.sentence_of(span[0])
    if cue.i > span.start or span.start == sent.start:
        return q.start, q.end
    if article.text[q.start + 1 : q.start + 2].isupper() or article.doc[span.start - 1].text in (":", ","):
        return q.start, q.end  # `said: "We ..."`, `said, "We ...": a quote of its own
    end = min(sent.end, cue.i + 1 + MAX_CUE_SENTENCE_TOKENS)
    end = _second_report_after(article, span.end, end) or end
    tokens = [t for t in article.doc[cue.i + 1 : end] if not _cue_phrase(t, cue)]
    tokens = without_asides(article, in_paragraph(article, tokens, cue.idx))
    trimmed = trim(tokens)
    if trimmed is None or trimmed[0] > q.start:
        return q.start, q.end
    return trimmed[0], max(trimmed[1], q.end)


def _second_report_after(article: Article, start: int, end: int) -> int | None:
    """`declaring it "a great night" and said it was ...`: after the quotation, a cue verb joined by "and" is
    a second act of saying with its own report; the rest of the sentence stops before it."""
    doc = article.doc
    for tok in doc[start:end]:
        if tok.lower_ != "and" or tok.i + 1 >= end or article.quoted(tok):
            continue
        verb = doc[tok.i + 1]
        if is_verb(verb) and verb.lemma_.lower() in article.cues and not article.quoted(verb):
            return tok.i
    return None


def _cue_phrase(tok: Token, cue: Token) -> bool:
    """Words of the cue's own phrase (its particle or addressee), not of the report."""
    return tok.head.i == cue.i and tok.dep_ in ("prt", "dative", "advmod", "npadvmod", "punct")


#: Words of a short subject between a quotation and its verb (`"...," an angry Hollande retaliated`).
_SUBJECT_WORDS = frozenset({"DET", "ADJ", "PROPN", "NOUN", "PRON", "NUM", "PART"})


_SUBJECT_HEADS = frozenset({"PROPN", "NOUN", "PRON", "NUM"})


#: Past and present finite verbs: the tenses of a report after its quotation.
_FINITE = frozenset({"VBD", "VBZ", "VBP"})


def verb_after_quotation(article: Article, q: Quotation) -> bool:
    """`"...," the mayor retaliated.`, `"...!" beamed Jane Doe.`, `"...," the two write.`: a quotation that
    opens its sentence and closes on a comma, a question or an exclamation mark, then a short subject and
    its verb (or the verb, then its subject): the news convention for speech, whatever the verb. The
    parser may tag the cue word a noun there (`the two write`): a lexicon cue then still counts."""
    found = report_after(article, q)
    if found is None:
        return False
    verb, speaker = found
    article.add(Candidate([(q.start, q.end)], verb, speaker, [(q.start, q.end)]))
    return True


def report_after(article: Article, q: Quotation) -> tuple[Token, list[CharSpan]] | None:
    """The verb and speaker right after a quotation in the shape of speech (see `verb_after_quotation`)."""
    span = article.span(q.start, q.end)
    if span is None or not closes_like_speech(article, q) or article.sentence_of(span[0]).start != span.start:
        return None
    doc = article.doc
    words = [t for t in doc[span.end : min(len(doc), span.end + CUE_AFTER_TOKENS + 1)]]
    while words and words[0].is_punct:
        words.pop(0)  # `"...", he said`: the comma after the closing mark
    if not words or article.paragraph_of(words[0].idx) != article.paragraph_of(q.start):
        return None
    return _inverted_report(article, span, words) or _trailing_report(article, span, words)


def _reports_quotation(verb: Token, span: Span) -> bool:
    """The verb rules the quotation's sentence: its root, or the head of the quotation's own root."""
    return verb.dep_ == "ROOT" or span.root.head.i == verb.i


def _inverted_report(article: Article, span: Span, words: list[Token]) -> tuple[Token, list[CharSpan]] | None:
    """`"...!" beamed Jane Doe`: a finite verb right after the quotation, with its subject after it."""
    verb = words[0]
    if verb.pos_ != "VERB" or verb.tag_ not in _FINITE or not _reports_quotation(verb, span):
        return None
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.i > verb.i and c.pos_ in ("PROPN", "NOUN")]
    if not subjects:
        return None
    return verb, speakers(article, subjects, verb)


def _trailing_report(article: Article, span: Span, words: list[Token]) -> tuple[Token, list[CharSpan]] | None:
    """`"...," an angry Hollande retaliated`: a short subject, then its finite verb ruling the sentence. A
    subject the tagger took for a verb (`Doe shot back`) is still a subject by its dependency."""
    for n, tok in enumerate(words):
        subject_word = tok.pos_ in _SUBJECT_WORDS or (tok.dep_ == "nsubj" and tok.head.i > tok.i)
        if subject_word and not (n and tok.pos_ == "NOUN" and _cue_noun(article, tok)):
            continue
        subject = words[:n]
        # `the editorial read`: a tagger that took the verb for a noun may take the subject for an adjective
        mistagged = tok.pos_ == "NOUN" and bool(subject) and subject[-1].pos_ == "ADJ" and subject[0].pos_ == "DET"
        if not subject or (subject[-1].pos_ not in _SUBJECT_HEADS and subject[-1].dep_ != "nsubj" and not mistagged):
            return None
        if tok.pos_ == "VERB" and tok.tag_ in _FINITE and _reports_quotation(tok, span):
            heads = [c for c in tok.children if c.dep_ == "nsubj" and c in subject]
            return (tok, speakers(article, heads, tok)) if heads else None
        if tok.pos_ == "NOUN" and (tok.dep_ == "ROOT" or span.start <= tok.head.i < span.end):
            return tok, [(subject[0].idx, subject[-1].idx + len(subject[-1].text))]
        return None
    return None


def _cue_noun(article: Article, tok: Token) -> bool:
    """A lower-case verb of saying the parser tagged a noun after a subject (`the two write.`): a cue."""
    frames = article.cues.get(tok.lemma_.lower())
    if frames is None or "clause" not in frames or not tok.is_lower:
        return False
    following = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return following is None or following.is_punct or following.pos_ == "ADP"


def signed_with_dash(article: Article, q: Quotation) -> bool:
    """`"..." ― Jane Doe`: a quotation signed with a dash and a name, alone on the rest of its line, or
    on the next line after a quotation that fills its own (`"..."` | `- Jane Doe, tweeting on Friday.`)."""
    text = article.text
    line_end = article.paragraph_of(q.end)[1] if q.end < len(text) else len(text)
    if line_end - q.end > 200:
        return False  # a name of six words at most follows: never read a long line per quotation
    rest = text[q.end : line_end]
    if not rest.strip():
        return _signed_on_next_line(article, q, line_end)
    stripped = rest.lstrip()
    if not stripped or stripped[0] not in "―—–-":
        return False
    dash = q.end + len(rest) - len(stripped)
    return _signed(article, q, dash, line_end)


def _inverted_cue(article: Article, tok: Token) -> bool:
    """A capitalized past-tense cue opening its line before a name and a colon (`Said Ellis:`, `Stated
    Stone:`); the small model may read the capitalized verb as part of the name."""
    if not tok.is_title or not tok.lower_.endswith(("ed", "id")):
        return False
    forms = {tok.lemma_.lower(), tok.lower_[:-1], tok.lower_[:-2]}
    return any("clause" in (article.cues.get(form) or ()) for form in forms)


#: The longest line read as a signature under a quotation (`- Jane Doe, mayor of Halifax, on Twitter.`).
_SIGNATURE_LINE = 120


def _signed_on_next_line(article: Article, q: Quotation, line_end: int) -> bool:
    """A quotation filling its line, signed on the next one: a dash, then the name up to a comma."""
    text = article.text
    para_start = article.paragraph_of(q.start)[0]
    if article.letters.any(para_start, q.start):
        return False
    dash = line_end
    while dash < len(text) and dash - line_end < 10 and text[dash].isspace():
        dash += 1
    if dash >= len(text) or text[dash] not in "―—–-" or "\n" not in text[line_end:dash]:
        return False
    next_end = article.paragraph_of(dash)[1]
    if next_end - dash > _SIGNATURE_LINE:
        return False
    comma = text.find(",", dash, next_end)
    return _signed(article, q, dash, comma if comma >= 0 else next_end)


def _signed(article: Article, q: Quotation, dash: int, end: int) -> bool:
    """The name between the dash and end signs the quotation."""
    text = article.text
    name_start = dash + 1
    while name_start < end and not text[name_start].isalnum():
        name_start += 1
    name_end = end
    while name_end > name_start and not text[name_end - 1].isalnum():
        name_end -= 1
    name = text[name_start:name_end]
    if not name or len(name.split()) > 6 or not name[0].isupper():
        return False
    cue = article.span(dash, dash + 1)
    if cue is None:
        return False
    article.add(Candidate([(q.start, q.end)], cue[0], [(name_start, name_end)], [(q.start, q.end)]))
    return True


def named_before_colon(article: Article, q: Quotation) -> bool:
    """`Senator Jane Doe: "We will never accept this deal."`: a name (with its title) and a colon opening
    the quotation's line (or following a dash there), with no verb: the name speaks, the colon is the cue."""
    span = article.span(q.start, q.end)
    if span is None or span.start < 2:
        return False
    doc = article.doc
    colon = doc[span.start - 1]
    if colon.text != ":":
        # `Said Stone:` closing its paragraph, the quotation in the next one
        colon = _colon_closing_previous_line(article, q.start)
        if colon is None or colon.text != ":":
            return False
    line_start = article.paragraph_of(colon.idx)[0]
    first = colon.i
    while first > 0 and doc[first - 1].idx >= line_start and colon.i - first < _COLON_SPEAKER_TOKENS:
        if doc[first - 1].text in _ITEM_DASHES and doc[first - 1].whitespace_:
            break  # `HEADLINE - Jane Doe: "..."`, a roundup's item: the name after the dash
        if _ends_sentence(doc, first - 1):
            break  # `Doe: "A." Smith: "B."`: exchanges run on one line, each name after a full stop
        first -= 1
    if first > 0 and doc[first - 1].idx >= line_start and not _item_or_sentence_break(doc, first - 1):
        return False  # more than a name before the colon: a sentence, which a cue verb would introduce
    name = [t for t in doc[first : colon.i] if not t.is_space]
    cue = colon
    if len(name) > 1 and _inverted_cue(article, name[0]):
        cue, name = name[0], name[1:]  # `Said Ellis: "..."`, `Added Mayor Jane Doe: "..."`
    elif cue.i != span.start - 1:
        return False  # a bare name closing the line before is a heading, not a speaker
    if not name or name[-1].pos_ != "PROPN" or any(is_verb(t) for t in name):
        return False  # `Senator Jane Doe:` ends on a name; `The coach's verdict:` is no speaker
    speaker = (name[0].idx, name[-1].idx + len(name[-1].text))
    article.add(Candidate([(q.start, q.end)], cue, [speaker], [(q.start, q.end)]))
    return True


#: Marks that close a sentence (a closing quotation mark after them too).
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", "..."})


def _ends_sentence(doc: Doc, i: int) -> bool:
    """Token i closes a sentence: a full stop, ! ? or an ellipsis, or a closing mark right after one."""
    if doc[i].text in _SENTENCE_ENDS:
        return True
    return doc[i].is_quote and i > 0 and doc[i - 1].text in _SENTENCE_ENDS


def _item_or_sentence_break(doc: Doc, i: int) -> bool:
    return doc[i].text in _ITEM_DASHES or _ends_sentence(doc, i)


def introduced_by_colon(article: Article, q: Quotation) -> bool:
    """`Kasich resisted: "Ohio governors do not have the power ..."`, `as the pollster put it: "..."`: a
    clause closing on a colon right before a quotation introduces the words of its subject, whatever its
    verb. The subject must be a person (a name, a pronoun, a role), not the writer's topic."""
    span = article.span(q.start, q.end)
    if span is None or span.start < 2 or not quote_like(article, q):
        return False
    colon = article.doc[span.start - 1]
    if colon.text != ":":
        # `issued the following statement:` closing its paragraph, the statement in the next one
        colon = _colon_closing_previous_line(article, q.start)
    if colon is None or colon.text != ":" or article.quoted(colon):
        return False
    for verb in (_colon_head_verb(colon), _clause_before(article, colon)):
        if verb is None or article.paragraph_of(verb.idx) != article.paragraph_of(colon.idx):
            continue
        heads = subject_heads(verb, quoted=article.quoted)
        if heads and _person(heads[0]):
            article.add(Candidate([(q.start, q.end)], verb, speakers(article, heads, verb), [(q.start, q.end)]))
            return True
    return False


def _colon_head_verb(colon: Token) -> Token | None:
    """The verb the parser hung the colon on, climbing through nouns, if it stands before the colon."""
    verb = colon.head
    while not is_verb(verb) and verb.head.i != verb.i and verb.i < colon.i:
        verb = verb.head
    return verb if is_verb(verb) and verb.i < colon.i else None


def _clause_before(article: Article, colon: Token) -> Token | None:
    """The main verb of the words before a colon, when the parser hung the colon on the quotation after it
    (`has since apologized for what happened: "..."`): climb from the last word while heads stay before it."""
    if colon.i == 0:
        return None
    tok = colon.doc[colon.i - 1]
    start = article.sentence_of(colon).start
    while tok.head.i != tok.i and start <= tok.head.i < colon.i:
        tok = tok.head
    return tok if is_verb(tok) else None


def _person(subject: Token) -> bool:
    """A name, a third-person pronoun or a role ("the senator"): someone whose words can follow."""
    if subject.pos_ == "PROPN" or subject.ent_type_ in ("PERSON", "ORG", "NORP"):
        return True
    if subject.pos_ == "PRON":
        return subject.lower_ in ("he", "she", "they", "who")
    return subject.lemma_.lower() in lexicons.roles()


def governing_verb(article: Article, q: Quotation) -> Token | None:
    """The verb a quotation hangs from, climbing through the nouns and prepositions holding it."""
    span = article.span(q.start, q.end)
    if span is None:
        return None
    tok = span.root
    while not is_verb(tok) and tok.head.i != tok.i:
        tok = tok.head
    if is_verb(tok) and tok.lemma_.lower() not in article.cues and tok.dep_ in _CLAUSE_OF_NOUN:
        # `referenced a report that "less than one percent" were captured`: the clause of the cue's object.
        holder = tok.head
        while not is_verb(holder) and holder.head.i != holder.i and holder.dep_ in _NOUN_PATH:
            holder = holder.head
        if is_verb(holder) and holder.lemma_.lower() in article.cues:
            tok = holder
    if (cue := _cue_of_gerund(article, tok, span)) is not None:
        tok = cue
    if not is_verb(tok) or article.quoted(tok) or tok.lemma_ in NOT_REPORTING:
        return None
    return tok


def _cue_of_gerund(article: Article, gerund: Token, span: Span) -> Token | None:
    """`mocked Rubio for "having a tough night"`, `likened the rules to "robbing the taxpayers"`: the active
    cue verb whose own preposition takes the quoted gerund clause, which is what the cue reports (not a
    noun's: "put on a show of being "strong""; not a passive: "was called a charlatan for promoting "quack"
    cures", whose speaker is the agent)."""
    if gerund.dep_ != "pcomp" or gerund.lemma_.lower() in article.cues or not span.start <= gerund.i < span.end:
        return None
    prep, verb = gerund.head, gerund.head.head
    if prep.dep_ != "prep" or not is_verb(verb) or verb.lemma_.lower() not in article.cues:
        return None
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
    # A bare past participle: a noun's passive ("a practice criticized for ...") or a naming ("compared to").
    passive = passive or (verb.tag_ == "VBN" and not any(c.dep_ == "aux" for c in verb.children))
    return None if passive else verb


#: A clause that modifies a noun, and the dependencies from that noun up to the verb holding it.
_CLAUSE_OF_NOUN = ("acl", "relcl")


_NOUN_PATH = ("dobj", "pobj", "prep", "appos", "conj")


def quoted_object(article: Article, q: Quotation) -> bool:
    """`blasted the media for being "dishonest"`, `proclaimed a goal of "peace through strength"`: a
    short quotation inside a verb's complements makes them the subject's reported words."""
    verb = governing_verb(article, q)
    if verb is None or verb.idx > q.start or title_in_circumstances(article, q, verb):
        return False
    frames = article.cues.get(verb.lemma_.lower())
    if frames is None and not speech_act(article, q, verb):
        return False
    if naming_participle(verb, frames or frozenset()):
        return False
    if any(c.start >= q.end for c in article.with_cue(verb)):
        return False  # `told "Morning Show" that ...`: between the cue and its report, a name
    heads = subject_heads(verb, quoted=article.quoted)
    if not heads or heads[0].pos_ not in ("PROPN", "PRON", "NOUN"):
        return False
    content = subtrees(c for c in verb.children if c.i > verb.i and c.dep_ in COMPLEMENTS)
    if not any(q.start <= t.idx < q.end for t in content):
        return False
    return add(article, content, verb, speakers(article, heads, verb)) is not None


def speech_act(article: Article, q: Quotation, verb: Token) -> bool:
    """`Obama embraced the protesters' "demand for a fair shot at a decent job"`: any finite verb of a
    named source (a name or a pronoun) whose complements hold a quotation in the shape of speech (a clause
    or a long phrase) reports the source's words, though its lemma is no cue."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or not quote_like(article, q):
        return False
    heads = subject_heads(verb, quoted=article.quoted)
    return bool(heads) and heads[0].pos_ in ("PROPN", "PRON") and can_show(heads[0])


def _alone_in_paragraph(article: Article, q: Quotation) -> bool:
    """Whether the quotation is its paragraph, all of it, and no subheading ('Coal Isn't the Villain.')."""
    para_start, para_end = article.paragraph_of(q.start)
    if article.letters.any(para_start, q.start) or article.letters.any(q.end, para_end):
        return False
    return not headline_case(article.text[q.start : q.end])


def floating(article: Article, q: Quotation) -> bool:
    """A paragraph that is only a quotation, right after a report's paragraph: a quote of its own, with
    no cue, by the previous quote's speaker (`"A," she said.` / `"B."`)."""
    if not _alone_in_paragraph(article, q):
        return False
    para_start, _ = article.paragraph_of(q.start)
    previous = article.latest_before(q.start)
    if previous is None or not previous.speakers:
        return False
    # Only right after that quote's paragraph: further on, the text no longer supports it.
    if para_start - previous.end > 400:
        return False
    between = article.text[previous.end : para_start]
    tail, newline, gap = between.partition("\n")
    if not newline or gap.strip() or len(tail) > 200 or article.marks.overlapping(previous.end, para_start):
        return False
    article.add(Candidate([(q.start, q.end)], None, list(previous.speakers), [(q.start, q.end)]))
    return True


def introduced_by_previous_paragraph(article: Article, q: Quotation) -> bool:
    """`Captain Jane Doe was blunt after the game.` / `"It's on us as players."`: a paragraph that is only a
    quotation, right after a paragraph whose last sentence has a person as its subject, holds that person's
    words: news introduces a quotation so, with no cue (the quote after a report's paragraph is `floating`)."""
    if not _alone_in_paragraph(article, q):
        return False
    last = _end_of_previous_line(article, q.start)
    if last is None or not last.text.endswith((".", "!")):
        return False  # a question, a colon (`introduced_by_colon`), a heading: no introduction
    para_start, _ = article.paragraph_of(q.start)
    previous_start, _ = article.paragraph_of(last.idx)
    if para_start - previous_start > 2 * _INTRODUCTION_CHARS or article.marks.overlapping(previous_start, para_start):
        return False  # a long paragraph, or quoted words before: the quotation belongs with them, if anywhere
    sentence = article.sentence_of(last)
    verb = sentence.root
    if sentence.start_char < previous_start or sentence.end_char - sentence.start_char > _INTRODUCTION_CHARS:
        return False
    if not is_verb(verb):
        return False
    heads = subject_heads(verb, quoted=article.quoted)
    if not heads or not _person(heads[0]):
        return False
    article.add(Candidate([(q.start, q.end)], None, speakers(article, heads, verb), [(q.start, q.end)]))
    return True


#: The longest sentence read as introducing the quotation paragraph after it (`Doe was blunt.`); a longer one
#: tells a story of its own.
_INTRODUCTION_CHARS = 200

#: Short words a title leaves in lower case ("Meet the Press", "Fox and Friends").
_TITLE_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"})


#: The most words a title set in quotation marks is read as ("Andrea Mitchell Reports").
_TITLE_WORDS = 6


#: Prepositions of a cue's circumstances (where, when, to whom the words were said).
_CIRCUMSTANCES = frozenset({"in", "on", "during", "with", "to", "at", "for"})


def title_in_circumstances(article: Article, q: Quotation, verb: Token) -> bool:
    """`said in an interview with "Fox News Sunday"`, `told "Fox and Friends"`: a title in the cue's
    circumstances or its addressee names a programme, it is no one's words ("called him "Little Marco""
    is: a nickname stands in the cue's object)."""
    if not title_case(article.text[q.start : q.end]) or headline_case(article.sentence_of(verb).text):
        return False  # in a headline every word is capitalized: no telling a title
    holders = [c for c in verb.children if c.i > verb.i and c.dep_ == "prep" and c.lower_ in _CIRCUMSTANCES]
    if verb.lemma_ in ("tell", "speak"):
        holders += [c for c in verb.children if c.dep_ in ("dative", "dobj")]
    span = article.span(q.start, q.end)
    words = [t for t in span if not t.is_punct] if span is not None else []
    return bool(words) and any(c == words[0] or c in words[0].ancestors for c in holders)


#: The most words a work's title is read as when a noun of a work names it ("The Trumps: Three
#: Generations That Built an Empire").
_WORK_TITLE_WORDS = 12


def work_title(article: Article, q: Quotation) -> bool:
    """`on MSNBC's "Morning Joe,"`, `his 2005 book "TrumpNation: The Art of Being the Donald,"`,
    `"Trump Revealed," a biography by ...`: a quotation in title case after a possessive or a noun of a
    work (works.txt), or glossed by one or by its author right after it, is the title of a show, a book,
    an article: no one's words, whatever cue stands near."""
    span = article.span(q.start, q.end)
    if span is None or span.start == 0 or not title_case(article.text[q.start : q.end], _WORK_TITLE_WORDS):
        return False
    if headline_case(article.sentence_of(span[0]).text):
        return False  # in a headline every word is capitalized: no telling a title
    doc, works = article.doc, lexicons.words("works.txt")
    before = doc[span.start - 1]
    if before.text == "," and span.start >= 2:
        before = doc[span.start - 2]  # `The movie, "13 Hours," is based on ...`
    if before.lemma_.lower() in works:
        return True
    if before.tag_ == "POS":  # `NBC's "Meet the Press"`; `Rick Perry's "Oops"` is a word he said
        return len(_WORD.findall(article.text[q.start : q.end])) >= 2
    after = [t for t in doc[span.end : span.end + 6] if t.text != ","]
    if len(after) >= 2 and after[0].lower_ == "by" and after[1].pos_ == "PROPN":
        return True  # `"...," by Gwenda Blair`
    if after and after[0].pos_ == "DET":
        return any(t.lemma_.lower() in works and t.pos_ == "NOUN" for t in after[1:5])  # `"...," a biography`
    return False


def title_case(text: str, most_words: int = _TITLE_WORDS) -> bool:
    """A short quotation with every word capitalized but the small ones: the title of a show, a book,
    a programme ("Face the Nation", "Off Message"), not a phrase of speech."""
    words = _WORD.findall(text)
    if not words or len(words) > most_words:
        return False
    return (
        all(w[0].isupper() or w[0].isdigit() or w.lower() in _TITLE_SMALL_WORDS for w in words)
        and words[0][0].isupper()
    )


def headline_case(text: str) -> bool:
    """Most words capitalized, as headlines and subheadings are set, never a speaker's sentence."""
    words = _WORD.findall(text)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def follows_report(article: Article, q: Quotation) -> bool:
    """`Carter said the pivot would go on. "This region remains the most consequential."`: a quotation
    opening the sentence right after a report, in its paragraph, with no cue of its own, goes on with that
    report's speaker: it is their words too."""
    span = article.span(q.start, q.end)
    if span is None or article.sentence_of(span[0]).start != span.start:
        return False
    if "?" in article.text[max(q.start, q.end - 3) : q.end]:
        return False  # a question after a report is often the interviewer's, not the speaker's
    previous = article.latest_before(q.start)
    if previous is None or previous.cue is None or not previous.speakers:
        return False
    if article.paragraph_of(previous.end) != article.paragraph_of(q.start) or q.start - previous.end > 200:
        return False
    last = article.span(previous.end - 1, previous.end)
    if last is None or article.sentence_of(last[0]).end != span.start:
        return False  # a sentence of narration between: the quotation is no longer the report's
    article.add_fragment(previous, (q.start, q.end), (q.start, q.end))
    return True


QuotationConstruction = Callable[[Article, Quotation], bool]


#: Order matters: a quotation continuing the previous quote is not looked at for a cue of its own.
QUOTATION_CONSTRUCTIONS: tuple[QuotationConstruction, ...] = (
    continues_previous,
    reported_by_nearby_cue,
    signed_with_dash,
    named_before_colon,
    introduced_by_colon,
    verb_after_quotation,
    quoted_object,
    follows_report,
    floating,
    introduced_by_previous_paragraph,
)
