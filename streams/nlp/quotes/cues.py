"""Cue frames: every cue word of the lexicon (`data/cues.txt`) outside quotation marks whose dependency
frame holds content ("said that ...", "..., he said", "condemned ...", "according to X, ..."); its speaker
is the cue's subject, or the "by" / "according to" object."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from spacy.tokens import Span, Token

from streams.nlp import lexicons
from streams.nlp.quotes.assembly import add, add_fragments, lost_subject, speakers
from streams.nlp.quotes.candidates import Article, CharSpan
from streams.nlp.quotes.content import (
    content_tokens,
    interrupted_clause,
    noun_content,
    phrase_only,
    proform_content,
    trailing_clause,
)
from streams.nlp.quotes.marks import Quotation
from streams.nlp.quotes.speaker_phrases import appositive_speaker, speaker_like, subject_heads
from streams.nlp.quotes.syntax import SUBJECTS, clause_of, has_subject, is_verb

_WORD = re.compile(r"\w+")


#: Cues in longer "sentences" are skipped: each cue's frame walks its sentence's subtrees, so a run-on
#: stretch with thousands of cues (hostile input: no punctuation, quote marks everywhere) would cost
#: quadratic time. News sentences stay far below this (under 100 tokens on PolNeAR's dev set).
MAX_CUE_SENTENCE_TOKENS = 250


#: Subjects whose belief is no one's report: the writer ("I think"), the reader ("do you think").
_WRITER_AND_READER = frozenset({"i", "we", "you"})


def cue_frames(article: Article) -> None:
    """Every cue word outside quotation marks whose dependency frame holds content."""
    for tok in article.doc:  # the word tests first: they are cheap, and most words fail them
        if tok.lower_ == "according":
            if _narration(article, tok):
                according_to(article, tok)
            continue
        frames = article.cues.get(tok.lemma_.lower()) or _phrasal_frames(article, tok)
        if frames is None or not _narration(article, tok):
            continue
        if "clause" in frames and (read := verb_read_as_noun(tok)):
            subject, clause = read
            # The name's phrase ends at the name: the parser may have hung the cue and clause on it.
            add(article, list(clause.subtree), tok, [(subject.left_edge.idx, subject.idx + len(subject.text))])
        elif "noun" in frames and tok.pos_ == "NOUN":
            noun_report(article, tok)
        elif tok.pos_ == "NOUN" and "evidence" not in frames:  # "made a show of ...": a display, no words
            light_verb_report(article, tok)
        elif is_verb(tok):
            verb_report(article, tok, frames)


def _narration(article: Article, tok: Token) -> bool:
    """Whether a cue word is the article's own narration, in a sentence short enough to read."""
    if article.quoted(tok) or article.in_turn(tok.idx):
        return False  # the speaker's own words: nested reports are not the article's quotes
    if tok.i and article.doc[tok.i - 1].text.endswith("<"):
        return False  # `<tweet author="...">`: a tag name of markup left in the text, no word of it
    if _editors_note(article, tok.idx):
        return False
    return len(article.sentence_of(tok)) <= MAX_CUE_SENTENCE_TOKENS


def _phrasal_frames(article: Article, verb: Token) -> frozenset[str] | None:
    """The frames of a phrasal cue ("fired back", "shot back"), listed with its particle. Not with an
    object ("fired back a statement saying ..."): the statement's own cue reports."""
    if verb.pos_ != "VERB" or any(c.dep_ == "dobj" for c in verb.children):
        return None
    for particle in verb.children:
        # The parser reads "back" or "in" as a particle, an adverb or an object-less preposition.
        bare = particle.dep_ in ("prt", "advmod") or (particle.dep_ == "prep" and not list(particle.children))
        if bare and particle.i == verb.i + 1:
            return article.cues.get(f"{verb.lemma_.lower()} {particle.lower_}")
    return None


#: "Editor's note:" opening a paragraph, with a straight or curly apostrophe.
_EDITORS_NOTE = re.compile(r"\W*editor[’']?s[’']? note\b", re.I)


def _editors_note(article: Article, offset: int) -> bool:
    """Whether the offset lies in an "Editor's note:" paragraph: the publication's note appended to the
    story (a standing characterization, a disclosure), not the story's reporting."""
    start, end = article.paragraph_of(offset)
    return _EDITORS_NOTE.match(article.text, start, end) is not None


def verb_read_as_noun(tok: Token) -> tuple[Token, Token] | None:
    """`Trump predicts that ...`, `Trump claims he is worth ...`: a present-tense cue after a name that the
    small model read as a plural noun, the name as its modifier or the cue as the name's object, and the
    complement as a clause of the sentence's root. The name and that clause, if the cue is one."""
    if tok.tag_ != "NNS" or tok.i == 0:
        return None
    before = tok.doc[tok.i - 1]
    if before.pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    if tok.dep_ == "ROOT" and before.head.i == tok.i and before.dep_ in ("nsubj", "compound"):
        holder = tok  # "Trump/compound predicts/ROOT that ...": the clause hangs on the cue
    elif tok.dep_ == "dobj" and tok.head.i == before.i and before.dep_ == "ROOT":
        holder = before  # "Trump/ROOT claims/dobj he is ...": the clause hangs on the name
    else:
        return None
    clauses = [c for c in holder.children if c.dep_ == "ccomp" and c.i > tok.i]
    return (before, clauses[0]) if clauses else None


def noun_report(article: Article, noun: Token) -> None:
    """ "his claim that the vote was rigged": a cue noun's that-clause, its possessor the speaker (or the
    subject of the verb it is the object of)."""
    content = noun_content(noun)
    if not content:
        return
    heads = [c for c in noun.children if c.dep_ == "poss"] or _by_phrase(article, noun)
    if not heads and noun.dep_ == "dobj" and is_verb(noun.head):
        # "made the point that ...", "issued a warning that ...": the one who made it speaks.
        heads = subject_heads(noun.head, quoted=article.quoted)
    add(article, content, noun, speakers(article, heads, noun))


#: Prepositions of what a cue noun is about ("mention of", "comments about", "comment on").
_TOPIC_PREPOSITIONS = ("of", "about", "on")


def light_verb_report(article: Article, noun: Token) -> None:
    """ "Trump made no mention of Jeb Bush", "has made comments about voter fraud": a cue noun as the
    object of a light verb (`light_verbs.txt`) reports the object of its of/about/on phrase, the verb's
    subject its speaker."""
    verb = noun.head
    if noun.dep_ != "dobj" or not is_verb(verb) or verb.lemma_.lower() not in lexicons.words("light_verbs.txt"):
        return
    prep = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ in _TOPIC_PREPOSITIONS), None)
    objects = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")] if prep is not None else []
    if not objects:
        return
    heads = subject_heads(verb, quoted=article.quoted)
    add(article, list(objects[0].subtree), noun, speakers(article, heads, noun))


def _by_phrase(article: Article, noun: Token) -> list[Token]:
    """ "claims by opposition critics that ...", "a warning from the union that ...": the noun of a "by" or
    "from" phrase of the cue noun made the claim."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("by", "from") and prep.i > noun.i:
            objects = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
            if objects and not article.quoted(objects[0]):
                return objects[:1]
    return []


def verb_report(article: Article, verb: Token, frames: frozenset[str]) -> None:
    """A cue verb's report: the clause it interrupts or closes, else its complement, else a pro-form."""
    if naming_participle(verb, frames) or passive_participle(verb) or discourse_phrase(article, verb):
        return
    if writers_hedge(verb) or withholding(verb) or appointing(verb):
        return
    if "aspect" in frames and any(c.dep_ == "xcomp" for c in verb.children):
        return  # "will continue screening applicants", "continued to climb": how long, not what was said
    heads = subject_heads(verb, quoted=article.quoted)
    if "evidence" in frames and not (heads and can_show(heads[0]) and not _reflexive_object(verb)):
        return  # "Fox News found itself playing host ...": where the subject ended up, not a finding
    if "belief" in frames and not (heads and heads[0].lower_ not in _WRITER_AND_READER):
        return  # "I think", "do you think", "think of it": the writer's or the reader's view, not a report
    if "infinitive" in frames and not (heads and can_show(heads[0])):
        frames = frames - {"infinitive"}  # "the debate promised to be a test": no one's commitment
    content: list[Token] = []
    if not heads and "clause" in frames and (inverted := after_quotation(article, verb)):
        # `"...," said David Brock, ...` with Brock parsed as the subject of some later verb.
        heads, content = inverted
    if not heads and "clause" in frames and (fronted := quotation_then_speaker(article, verb)):
        heads, content = fronted
    if "clause" in frames and (split := speaker_inside_report(article, verb, heads)):
        heads, content = split
    if "clause" in frames and not content:
        # `A, his top aide, Tad Devine, told the Post.`: a closing cue whose subject the parser lost.
        heads = heads or lost_subject(article, verb) or after_clause(article, verb)
        content = interrupted_clause(verb, heads) or trailing_clause(verb, heads)
        if not content and (named := appositive_speaker(verb, heads)):
            content = interrupted_clause(verb, named)
            heads = named if content else heads
    content = content or content_tokens(verb, frames, article.cues)
    fronted = quotation_then_speaker(article, verb) if "clause" in frames and heads and content else None
    if fronted and _runs_into_speaker(content, heads, fronted[1], verb):
        # `"...," Chief Jane Doe of the Tk'emlups te Secwepemc First Nation told`: the parser read the name
        # into the quotation's clause and took "Nation" for the subject.
        heads, content = fronted
    if not content and "clause" in frames and (block := block_after_colon(article, verb)):
        add_fragments(article, block, verb, speakers(article, heads, verb))
        return
    if not content and "clause" in frames:
        content = proform_content(verb, article.proforms)
    content = without_reporting_clause(content, verb, heads)
    if content:
        add(article, content, verb, speakers(article, heads, verb))


#: The most lines an unquoted block after "X wrote:" runs to before a blank line ends it.
_BLOCK_LINES = 6


def block_after_colon(article: Article, verb: Token) -> list[CharSpan]:
    """`Fox News reports:` closing its line, then the words it reports on the lines after it without
    quotation marks (a block quotation whose indentation the text lost): those lines, up to a blank one.
    A line opening with a quotation mark is the quotations' construction's; one opening with markup is
    no one's words."""
    doc, text = verb.doc, article.text
    colon = next((t for t in doc[verb.i + 1 : verb.i + 2 + _BLOCK_CUE_PHRASE] if t.text == ":"), None)
    if colon is None or not phrase_only(doc, verb.i + 1, colon.i, verb):
        return []
    line_end = article.paragraph_of(colon.idx)[1]
    if text[colon.idx + 1 : line_end].strip() or line_end >= len(text):
        return []
    lines: list[CharSpan] = []
    start = line_end + 1
    for _ in range(_BLOCK_LINES + 2):  # a blank line or two may part the block from its cue
        if start >= len(text) or len(lines) == _BLOCK_LINES:
            break
        line_start, line_end = article.paragraph_of(start)
        words = text[line_start:line_end].strip()
        if words and not lines and words[0] in "<\"“”‘’'«»":
            return []
        if not words and lines:
            break
        if words:
            lead = len(text[line_start:line_end]) - len(text[line_start:line_end].lstrip())
            lines.append((line_start + lead, line_start + lead + len(words)))
        start = line_end + 1
    return lines


#: The most tokens of the cue's circumstances between it and the colon ("said in a statement on Monday:").
_BLOCK_CUE_PHRASE = 8


def discourse_phrase(article: Article, verb: Token) -> bool:
    """ "That said, ...", "All told, ...": a fixed phrase (`discourse_phrases.txt`) opening its sentence
    before a comma links the writer's sentences; nobody said or told anything."""
    doc = verb.doc
    words = [t for t in doc[article.sentence_of(verb).start : verb.i + 1] if not (t.is_punct or t.is_space)]
    after = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
    if after is None or after.text != ",":
        return False
    return tuple(t.lower_ for t in words) in lexicons.phrases("discourse_phrases.txt")


def writers_hedge(verb: Token) -> bool:
    """ "It is safe to say ...", "too soon to say whether ...": a fixed phrase (`hedges.txt`) ending in the
    cue, the writer's hedge on their own claim; no one says anything."""
    doc = verb.doc
    for phrase in _hedges_ending_in().get(verb.lower_, ()):
        start = verb.i + 1 - len(phrase)
        if start >= 0 and tuple(t.lower_ for t in doc[start : verb.i + 1]) == phrase:
            return True
    return False


@lru_cache(maxsize=1)
def _hedges_ending_in() -> dict[str, list[tuple[str, ...]]]:
    """The hedges (`hedges.txt`) by their last word: a cue is compared only with the phrases ending in it."""
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for phrase in lexicons.phrases("hedges.txt"):
        by_last.setdefault(phrase[-1], []).append(phrase)
    return by_last


def withholding(verb: Token) -> bool:
    """`denied Carter a photograph of unity`, `deny licenses to same-sex couples`: "deny" with someone it
    is denied to (a second object, or "to" after its object) withholds a thing; it reports no claim."""
    if verb.lemma_.lower() != "deny":
        return False
    deps = [c.dep_ for c in verb.children if c.i > verb.i]
    to_someone = any(c.dep_ == "prep" and c.lower_ == "to" for c in verb.children if c.i > verb.i)
    return "dative" in deps or deps.count("dobj") >= 2 or ("dobj" in deps and to_someone)


def appointing(verb: Token) -> bool:
    """`the Senate confirmed 68 judicial nominees`, `to confirm a judge`: "confirm" with a person named by
    a role (roles.txt) as its object approves an appointment; it says nothing is true."""
    if verb.lemma_.lower() != "confirm" or any(c.dep_ in ("ccomp", "mark") for c in verb.children):
        return False
    roles = lexicons.person_roles()
    return any(c.dep_ == "dobj" and c.lemma_.lower() in roles for c in verb.children)


def without_reporting_clause(content: list[Token], verb: Token, heads: Sequence[Token]) -> list[Token]:
    """The content without the speaker and what stands between the speaker and the cue (`Joe Biden
    weighed in as well, telling ...`): a cue that inherits its subject can take the clause holding it."""
    before = [h for h in heads if h.i < verb.i]
    if not before:
        return content
    start = min(h.left_edge.i for h in before)
    return [t for t in content if not start <= t.i <= verb.i]


def naming_participle(verb: Token, frames: frozenset[str]) -> bool:
    """ "a show called "Brokers"", "what is today called "regenerative medicine"": a participle that
    names something (modifying a noun; or a naming verb in the passive, without an agent) reports
    nobody's words."""
    if verb_of_verbless_sentence(verb):
        return False
    if verb.dep_ == "acl" and "name" in frames and _names_only(verb):
        return True  # "a group called Citizens First": the small model tags the participle a past tense
    if verb.tag_ != "VBN":
        return False
    passive = any(c.dep_ == "auxpass" for c in verb.children)
    agent = any(c.dep_ == "agent" for c in verb.children)
    return verb.dep_ == "acl" or ("name" in frames and passive and not agent)


def _names_only(verb: Token) -> bool:
    """A past participle right after its common noun (a comma between at most), with the name (its
    predicative complement) and no object of its own: "a movement called X", "a blog, called "Feed","; not
    after a name ("which its chief executive, Tim Cook, called "crap"": the parser lost the subject)."""
    deps = {c.dep_ for c in verb.children}
    between = verb.doc[verb.head.i + 1 : verb.i]
    right_after = verb.head.pos_ == "NOUN" and verb.head.i < verb.i and all(t.is_punct for t in between)
    return verb.tag_ in ("VBD", "VBN") and right_after and "oprd" in deps and not deps & {"dobj", "nsubj", "dative"}


def verb_of_verbless_sentence(verb: Token) -> bool:
    """`Beruff, a Scott ally, called the standards "strong."`: the small model read the past tense as a
    participle modifying the name, which it made the root of a sentence without a verb. The participle
    is the sentence's verb, the name its subject."""
    return (
        verb.dep_ == "acl"
        and verb.tag_ == "VBN"
        and verb.head.dep_ == "ROOT"
        and not is_verb(verb.head)
        and verb.head.i < verb.i
        and not any(c.dep_ in ("auxpass", "agent") for c in verb.children)
    )


_REFLEXIVES = frozenset({"itself", "himself", "herself", "themselves", "myself", "ourselves", "yourself"})


def _reflexive_object(verb: Token) -> bool:
    """A reflexive pronoun right after the cue ("found itself", "found themselves")."""
    return verb.i + 1 < len(verb.doc) and verb.doc[verb.i + 1].lower_ in _REFLEXIVES


#: Subordinators that open a participle clause ("When asked about ...", "If elected, ...").
_PARTICIPLE_OPENERS = frozenset({"when", "if", "once", "after", "before", "while", "unless", "until"})


def passive_participle(verb: Token) -> bool:
    """`Asked whether he would resign, the chief executive replied ...`: a participle clause in the
    passive reports what was put to the subject, not the subject's words (the asker goes unnamed)."""
    # The tagger may call a sentence's opening participle a past tense (`Asked/VBD whether ...`).
    if verb.tag_ != "VBN" and not (verb.tag_ == "VBD" and _opens_sentence(verb)):
        return False
    # "When asked why, the mayor replied ...": the parser may make the participle the root.
    opened = verb.dep_ == "ROOT" and any(c.lower_ in _PARTICIPLE_OPENERS and c.i < verb.i for c in verb.children)
    if verb.dep_ != "advcl" and not opened:
        return False
    return not any(c.dep_ in ("nsubj", "nsubjpass", "agent", "aux", "auxpass") for c in verb.children)


def _opens_sentence(verb: Token) -> bool:
    """The word opens its sentence, or follows one of the subordinators that open a participle clause."""
    return verb.is_sent_start or (verb.i > 0 and verb.doc[verb.i - 1].lower_ in _PARTICIPLE_OPENERS)


def can_show(subject: Token) -> bool:
    """Whether the subject of an evidence cue ("show", "find") is a source: a name, a person, or a poll,
    study or document (`evidence.txt`), not the writer's reasoning ("his popularity shows how ...")."""
    return speaker_like(subject) or subject.lemma_.lower() in lexicons.words("evidence.txt")


#: Words that may open the noun phrase right after an inverted cue (`said the city's mayor`).
_SPEAKER_PHRASE_POS = frozenset({"DET", "ADJ", "PROPN", "NOUN", "PRON", "NUM", "PART"})


def after_quotation(article: Article, verb: Token) -> tuple[list[Token], list[Token]] | None:
    """`"...," said David Brock, a Clinton confidant`: a subject-less cue right after a quotation's closing
    mark (after a comma, ? or !) reports that quotation, and the noun phrase right after it speaks."""
    doc = verb.doc
    mark = verb.i - 1
    if mark < 1 or not doc[mark].is_quote or doc[mark - 1].text not in (",", "?", "!"):
        return None
    quotation = article.inside_quotation(doc[mark].idx, doc[mark].idx + len(doc[mark].text))
    if quotation is None:
        return None
    head = _phrase_after(verb)
    if head is None or article.quoted(head):
        return None
    span = article.span(quotation.start, quotation.end)
    return ([head], list(span)) if span is not None else None


def quotation_then_speaker(article: Article, verb: Token) -> tuple[list[Token], list[Token]] | None:
    """`"...," Texas delegate Bill Eastland, wearing a cowboy hat, said`: a subject-less closing cue after a
    quotation that opens its sentence (closing on a comma, ? or !): the noun phrase right after the closing
    mark speaks, though the parser hung it inside the quotation's clause, and the quotation is the report."""
    sentence = article.sentence_of(verb)
    opening = sentence[0]
    quotation = article.inside_quotation(opening.idx, opening.idx + len(opening.text))
    if quotation is None or quotation.start != opening.idx or quotation.end > verb.idx:
        return None
    span = article.span(quotation.start, quotation.end)
    if span is None or span.end >= verb.i or not closes_like_speech(article, quotation):
        return None
    head = _phrase_after(article.doc[span.end - 1])
    if head is None or article.quoted(head) or head.i >= verb.i:
        return None
    return [head], list(span)


def _runs_into_speaker(
    content: Sequence[Token], heads: Sequence[Token], quotation: Sequence[Token], verb: Token
) -> bool:
    """Whether the content goes on past the quotation opening the sentence into a name right before the cue:
    nothing but a noun phrase (no comma, no verb) between the closing mark and the cue, the subject in it."""
    between = verb.doc[quotation[-1].i + 1 : verb.i]
    if not between or any(t.is_punct or is_verb(t) or t.pos_ in ("PRON", "SCONJ", "CCONJ") for t in between):
        return False
    if between[0].pos_ != "PROPN" and not between[0].is_title:
        return False  # a name, maybe after its title: `Chief Jane Doe of ...`, `CBS anchor Jane Doe`
    inside = range(between.start, between.end)
    return all(h.i in inside for h in heads) and any(t.i in inside for t in content)


def _phrase_after(verb: Token) -> Token | None:
    """The head of the noun phrase right after an inverted cue (`said the city's mayor`), if one is there."""
    head = None
    for tok in verb.doc[verb.i + 1 : verb.i + 1 + CUE_AFTER_TOKENS]:
        # A capitalized word is a name, whatever the small model tagged it (`said Skelly` as an adverb).
        name = tok.is_title and tok.is_alpha
        if (tok.pos_ not in _SPEAKER_PHRASE_POS and not name) or tok.is_punct:
            break
        if tok.pos_ in ("PROPN", "NOUN", "PRON") or name:
            head = tok
    return head


def speaker_inside_report(
    article: Article, verb: Token, heads: Sequence[Token]
) -> tuple[list[Token], list[Token]] | None:
    """ "Part of the problem, say experts like X, a geologist, is the soil": an inverted cue set off by
    commas between the subject and the verb of the clause it reports. The parser made that subject the
    cue's and the noun phrase after the cue the clause's; that phrase speaks, and the subject before the
    cue and the clause after the phrase are the report."""
    doc = verb.doc
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or len(heads) != 1 or verb.i < 2 or doc[verb.i - 1].text != ",":
        return None
    subject = heads[0]  # its phrase may hold the comma before the cue
    if subject.head.i != verb.i or subject.right_edge.i not in (verb.i - 2, verb.i - 1) or article.quoted(subject):
        return None
    speaker = _phrase_after(verb)
    if speaker is None or article.quoted(speaker) or speaker.dep_ not in SUBJECTS:
        return None
    clause = speaker.head
    if clause.i < speaker.i or clause.dep_ != "ccomp" or clause.head.i != verb.i:
        return None
    end = speaker.right_edge.i
    while doc[end].is_punct and end > speaker.i:
        end -= 1  # the parser may give the phrase its closing comma
    if end + 1 >= clause.i or doc[end + 1].text != ",":
        return None  # the speaker's phrase closes on a comma before the rest of the clause
    return [speaker], [*subject.subtree, *(t for t in clause.subtree if t.i > end)]


def after_clause(article: Article, verb: Token) -> list[Token]:
    """`He had a say in the deal, said a former aide to the minister, who ...`: a subject-less finite cue
    after the clause it reports and a comma, with a noun phrase right after it that the parser made its
    object or the subject of a later verb: that phrase speaks."""
    doc = verb.doc
    if verb.tag_ not in ("VBD", "VBZ") or verb.i < 2 or doc[verb.i - 1].text != ",":
        return []
    if not any(c.dep_ == "ccomp" and verb.i - 2 <= c.right_edge.i < verb.i for c in verb.children):
        return []  # the report ends at the comma before the cue, which may hang on either
    head = _phrase_after(verb)
    if head is None or article.quoted(head):
        return []
    return [head]


def according_to(article: Article, according: Token) -> None:
    """ "According to the mayor, the bridge is safe": the clause the phrase hangs on."""
    if "prep" not in article.cues.get("according to", frozenset()):
        return
    to = next((c for c in according.children if c.lower_ == "to"), None)
    if to is None:
        return
    sources = [c for c in to.children if c.dep_ == "pobj"] or _noun_after(to)
    if not sources:
        return
    clause = clause_of(according)
    if (subject := _subject_read_as_source(article, according, to, clause)) is not None:
        # "According to exit polls, majorities of voters say ...": the source ends at the comma.
        last = subject.doc[subject.left_edge.i - 2]  # the word before the comma
        speaker = (sources[0].left_edge.idx, last.idx + len(last.text))
        report = [*subject.subtree, *(t for t in clause.subtree if t.i > subject.right_edge.i)]
        add(article, report, according, [speaker])
        return
    phrase = {t.i for t in according.subtree}
    content = [t for t in clause.subtree if t.i not in phrase]
    first = according.left_edge.i
    rest = [t for t in content if t.i > according.right_edge.i and not t.is_punct]
    if clause.i < first and first > 0 and according.doc[first - 1].text == "," and rest and rest[0].lower_ != "and":
        # "Trump leads by nine points, according to the average - despite ...": after a clause it closes,
        # the phrase ends the report; what follows is the writer's, unless "and" adds a second fact.
        content = [t for t in content if t.i < first]
    add(article, _sentence_around(article, according, to) or content, according, speakers(article, sources, according))


def _subject_read_as_source(article: Article, according: Token, to: Token, clause: Token) -> Token | None:
    """ "According to exit polls by X, majorities of voters say ...": a phrase opening its sentence whose
    source the parser ran, as an apposition or a conjunct after a comma, into the subject of the clause
    the phrase hangs on (its verb right after that subject, without a subject of its own)."""
    doc = according.doc
    if according.i != article.sentence_of(according).start or clause.i <= to.i or has_subject(clause):
        return None
    for tok in to.subtree:  # in order: the outermost such phrase first
        if tok.dep_ in ("conj", "appos") and tok.right_edge.i + 1 == clause.i and doc[tok.left_edge.i - 1].text == ",":
            if not any(c.dep_ == "cc" and c.i < tok.i for c in tok.head.children):
                return tok
            return None
    return None


def _noun_after(to: Token) -> list[Token]:
    """ "according to the F.A.A.": the noun right after "to" when the parser gave "to" no object."""
    for tok in to.doc[to.i + 1 : to.i + 5]:
        if tok.is_punct and tok.text != ".":
            break
        if tok.pos_ in ("PROPN", "NOUN"):
            return [tok]
    return []


def _sentence_around(article: Article, according: Token, to: Token) -> list[Token]:
    """ "A, B and C, according to the survey.": an "according to" phrase closing its sentence after a
    comma reports all of the sentence before it (after a colon, if one sets up the sentence), not only
    the clause the parser hung it on; one opening its sentence reports all of the sentence after it."""
    doc = according.doc
    sentence = article.sentence_of(according)
    # The phrase is "according to" and its source; the parser sometimes hangs the clause after the
    # comma on "according" itself ("According to the study, voters ...").
    first, last = according.i, max(to.right_edge.i, to.i)
    if according.dep_ == "ROOT" and last + 1 >= sentence.end:
        # "According to a study by X, voters ...", all parsed as the source: its first comma ends it.
        last = next((t.i - 1 for t in doc[to.i + 1 : sentence.end] if t.text == ","), last)
    after = [t for t in doc[last + 1 : sentence.end] if not (t.is_punct or t.is_space)]
    before = [t for t in doc[sentence.start : first] if not (t.is_punct or t.is_space)]
    if (
        (not after or _hung_on_source_clause(according, sentence))
        and first > sentence.start
        and doc[first - 1].text == ","
    ):
        colons = [t.i for t in doc[sentence.start : first] if t.text == ":"]
        start = colons[-1] + 1 if colons else _quotation_split_off(article, sentence.start)
        return list(doc[start : first - 1])
    if not before and last + 1 < sentence.end and doc[last + 1].text == ",":
        start = last + 2
        # "According to the complaint, filed in federal court, the bank ...": the participle describes
        # the source, it is not what the source says.
        opener = doc[start] if start < sentence.end else None
        if opener is not None and opener.tag_ == "VBN" and opener.dep_ in ("advcl", "acl"):
            comma = opener.right_edge.i + 1
            if comma < sentence.end and doc[comma].text == ",":
                start = comma + 1
        return list(doc[start : sentence.end])
    return []


def _quotation_split_off(article: Article, start: int) -> int:
    """`"... an election year?" the senator asked, according to X.`: the parser ended a sentence at the
    question or exclamation closing the quotation; the quotation its reporting clause follows is part of
    the sentence an "according to" reports. Else start itself."""
    doc = article.doc
    if start < 2 or not doc[start - 1].is_quote or doc[start - 2].text not in ("?", "!"):
        return start
    found = article.marks.overlapping(doc[start - 1].idx, doc[start - 1].idx + 1)
    if not found or found[-1].end > doc[start].idx:
        return start
    opening = article.span(found[-1].start, found[-1].end)
    return opening.start if opening is not None else start


_RELATIVIZERS = frozenset({"who", "whom", "whose", "which", "where", "when", "that"})


def _hung_on_source_clause(according: Token, sentence: Span) -> bool:
    """ "X happened, according to sources who spoke to the paper but were not authorized to ...": the
    parser hung the phrase on a later verb that describes the source (a relative clause, a participle),
    so the phrase still closes the report before its comma. Not when a clause of the sentence goes on
    after the phrase (`At the heart of it, according to X, was ...`, `..., according to X, Y tried`)."""
    doc, head = according.doc, according.head
    if head.i <= according.i:
        return False
    commas = [t.i for t in doc[according.i : head.i] if t.text == ","]
    if any(c + 1 < len(doc) and doc[c + 1].lower_ not in _RELATIVIZERS for c in commas):
        return False
    before = doc[sentence.start : according.i]
    # The words before the comma are a clause of their own: a subject and its verb.
    return any(t.dep_ in ("nsubj", "nsubjpass", "expl") and _main_clause_in(t.head, before) for t in before)


def _main_clause_in(verb: Token, span: Span) -> bool:
    """A verb within span heading a main clause (not a relative one, nor one opened by "while", "if")."""
    return span.start <= verb.i < span.end and verb.dep_ != "relcl" and not _subordinate(verb)


def _subordinate(verb: Token) -> bool:
    """A clause opened by a subordinator ("While most were elevated ...")."""
    return any(c.dep_ == "mark" for c in verb.children)


#: How many tokens after a quotation its cue may stand in `"...," said the mayor` or `"...," the mayor said`.
CUE_AFTER_TOKENS = 6


def closes_like_speech(article: Article, q: Quotation) -> bool:
    """A comma, a question or an exclamation mark closing the quotation (or a comma right after it)."""
    inside = article.text[max(q.start, q.end - 3) : q.end]
    return any(ch in ",?!" for ch in inside) or article.text[q.end : q.end + 1] == ","
