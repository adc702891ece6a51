"""Speaker phrases: who a cue's frame names as the speaker, as character spans of the text.

Resolving a phrase ("he", "the French leader") to an entity is `streams.nlp.speakers`' job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from spacy.tokens import Token

from streams.nlp import lexicons
from streams.nlp.quotes.syntax import (
    DATELINE_DASHES,
    INHERIT,
    NOT_SPEAKER,
    PASSIVE_SUBJECTS,
    RELATIVE,
    SUBJECTS,
    coordinated_with_report,
    dateline_dash,
    has_subject,
    is_subject,
    is_verb,
)


def subject_heads(verb: Token, depth: int = 3, quoted: Callable[[Token], bool] = lambda t: False) -> list[Token]:
    """Head tokens of the cue's speaker(s): the subject, the passive agent, or an inherited subject.

    A relative pronoun is kept as it stands ("Trump, who said ..."): the speaker resolver follows it to
    its antecedent. Subjects inside quotation marks are the speaker's words, not the speaker.
    """
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS and not quoted(c)]
    if not subjects:
        # "Trump/nsubj was/aux n't so much saying ...": the parser may hang the subject on the auxiliary.
        subjects = [s for a in verb.children if a.dep_ == "aux" for s in a.children if s.dep_ in SUBJECTS]
        subjects = [s for s in subjects if not quoted(s)]
    if not subjects and verb.lemma_ in _QUOTED_AS:
        # "The minister was quoted as saying ...": the one quoted is the passive subject.
        subjects = [c for c in verb.children if c.dep_ == "nsubjpass" and not quoted(c)]
    # A headline or a dateline run into the sentence can bring a second "subject" ("LONDON (Reuters) -
    # Britain's finance minister said"): the one across a line break or a dash is not.
    same_line = [c for c in subjects if not _line_break_between(c, verb)]
    # "which they say left a vacuum": the relative pronoun is the report's subject, "they" speak.
    same_line = [c for c in same_line if c.lower_ not in RELATIVE] or same_line
    if subjects:
        chosen = _nearest_subject(same_line or subjects, verb)
        if chosen.lower_ in RELATIVE and depth and (author := _author_of_publication(verb, depth, quoted)):
            return author
        return [chosen]
    for child in verb.children:
        if child.dep_ == "agent":
            return [t for t in child.children if t.dep_ == "pobj" and not quoted(t)]
    if depth and verb.dep_ in INHERIT and verb.head.i != verb.i:
        head = verb.head
        if _closing_participle(verb) and _reported_clause(head, verb, quoted):
            # `Packer said the focus is taking a toll, pointing to ...`: a participle closing the
            # sentence after a comma is the reporter's, not the reported clause's subject's.
            head = head.head
        if verb.dep_ == "xcomp" and (controller := _object_before(head, verb, quoted)) is not None:
            # "The defeat led the chairman to declare ...", "prompted the mayor to warn ...": the one
            # led or prompted speaks, not the cause.
            return [controller]
        if (left := _left_in_state(head, verb, quoted)) is not None:
            return [left]
        if (
            verb.dep_ in ("conj", "advcl", "xcomp")
            and not coordinated_with_report(verb)
            and (passive := _passive_subject(head, quoted)) is not None
        ):
            # "Officials were angered by the deal and predicted ...", "She was booed by the crowd after
            # saying ...", "was forced to admit ...": the ones angered, booed or forced speak, not the agent.
            return [passive]
        if coordinated_with_report(verb):
            head = head.head  # "X said A and warned B": X warned, not A's subject
            head = _report_above(head)
        if verb.dep_ == "relcl" and not is_verb(head):
            return [head]
        if verb.dep_ == "acl" and verb.tag_ == "VBN" and head.dep_ == "ROOT" and not is_verb(head):
            return [head]  # `Beruff, a Scott ally, called ...` read as a participle of the name
        if verb.dep_ == "acl" and verb.tag_ == "VBG" and head.dep_ == "pobj" and head.head.lower_ == "with":
            return [head]  # "with 50 percent saying she is ready": the noun of the "with" phrase speaks
        if verb.dep_ == "acl" and verb.tag_ == "VBG" and not is_verb(head):
            # "issued a statement saying ...": the one who issued it; "in an item suggesting ...",
            # "evidence suggesting ...": with no such verb above, the noun itself.
            return _holders_subject(head, depth, quoted) or ([head] if not quoted(head) else [])
        if not is_verb(head) and head.head.i != head.i:
            head = head.head
        if verb.dep_ == "pcomp":
            head = _verb_above_phrase(head)
        return subject_heads(head, depth - 1, quoted)
    return []


#: The most prepositions and nouns between a participle and the verb of the clause its phrase opens
#: ("In addition to stating ..., the premier vowed": to, addition, in).
_PHRASE_LINKS = 4


#: Links from a preposition up to its verb through a compound preposition's parts ("in addition to",
#: "aside from"), the verb's object ("took the step of criticizing ...") or its complement ("was the most
#: aggressive in denouncing ...").
_PHRASE_DEPS = ("prep", "pobj", "advmod", "dobj", "attr", "acomp")


def _verb_above_phrase(tok: Token) -> Token:
    """The verb a prepositional phrase hangs on, through the words of a compound preposition ("in
    addition to", "aside from") or the verb's object or complement, or tok itself when there is none."""
    head = tok
    for _ in range(_PHRASE_LINKS):
        if is_verb(head) or head.dep_ not in _PHRASE_DEPS or head.head.i == head.i:
            break
        head = head.head
    return head if is_verb(head) else tok


#: Dependencies from a noun up to the verb whose argument it is ("issued a statement", "in a post").
_NOUN_TO_VERB = ("dobj", "pobj", "prep", "dative")


def _holders_subject(noun: Token, depth: int, quoted: Callable[[Token], bool]) -> list[Token]:
    """The subject of the verb a noun is the object of, directly or through a preposition."""
    holder = noun
    while not is_verb(holder) and holder.dep_ in _NOUN_TO_VERB and holder.head.i != holder.i:
        holder = holder.head
    if holder.i == noun.i or not is_verb(holder):
        return []
    return subject_heads(holder, depth - 1, quoted)


def _author_of_publication(verb: Token, depth: int, quoted: Callable[[Token], bool]) -> list[Token]:
    """ "The senator released an ad that says ...": a report hung on a publication (`publications.txt`)
    that someone puts out (`publishing_verbs.txt`) is that someone's (a name, a pronoun or a role)."""
    publication = verb.head
    if verb.dep_ != "relcl" or publication.dep_ != "dobj" or not is_verb(publication.head):
        return []
    if publication.lemma_.lower() not in lexicons.words("publications.txt"):
        return []
    if publication.head.lemma_.lower() not in lexicons.words("publishing_verbs.txt"):
        return []  # "cited polls that show ...": someone else's text
    heads = subject_heads(publication.head, depth - 1, quoted)
    if not heads or heads[0].lower_ in RELATIVE or not speaker_like(heads[0]):
        return []
    return heads


def speaker_like(head: Token) -> bool:
    """A name, a personal pronoun, an organisation or a role: someone who can put a text out or speak."""
    if head.pos_ in ("PROPN", "PRON") or head.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return head.lower_ not in ("it", "this", "that")
    return head.lemma_.lower() in lexicons.roles()


def _closing_participle(verb: Token) -> bool:
    """A present participle set off by a comma after its head ("..., pointing to ...")."""
    doc = verb.doc
    # `... together," suggesting ...`: the comma may stand inside the quotation's closing mark.
    comma = verb.i - 2 if verb.i > 1 and doc[verb.i - 1].is_quote else verb.i - 1
    closing = comma >= 0 and doc[comma].text == ","
    return verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.i > verb.head.i and closing


def _reported_clause(clause: Token, participle: Token, quoted: Callable[[Token], bool]) -> bool:
    """clause is the complement of a cue verb standing before the participle, outside quotation marks,
    and no report itself (`X cannot say that ..., Lewandowski added, saying ...` misparsed)."""
    cue = clause.head
    return (
        clause.dep_ == "ccomp" and cue.i < participle.i and _reports(cue) and not _reports(clause) and not quoted(cue)
    )


def _report_above(clause: Token) -> Token:
    """The report a reported clause hangs in, through the clauses and predicates between ("X said the
    ruling was a sign that A, and accused ...": X accused), or the clause itself."""
    head = clause
    while not _reports(head) and head.dep_ in ("ccomp", "acomp", "attr") and head.head.i != head.i:
        head = head.head
    return head if _reports(head) else clause


def _reports(verb: Token) -> bool:
    """A cue verb whose complement clause is its report ("said", "told")."""
    return is_verb(verb) and "clause" in lexicons.cues().get(verb.lemma_.lower(), frozenset())


def _object_before(head: Token, verb: Token, quoted: Callable[[Token], bool]) -> Token | None:
    """The direct object of an object-control verb (`object_control.txt`) standing between it and its
    to-infinitive verb."""
    if head.lemma_.lower() not in lexicons.words("object_control.txt"):
        return None
    objects = [c for c in head.children if c.dep_ == "dobj" and head.i < c.i < verb.i and not quoted(c)]
    return objects[-1] if objects else None


def _passive_subject(head: Token, quoted: Callable[[Token], bool]) -> Token | None:
    """The passive subject of a verb that has no active one."""
    if any(c.dep_ in SUBJECTS for c in head.children):
        return None
    return next((c for c in head.children if c.dep_ in PASSIVE_SUBJECTS and not quoted(c)), None)


def _left_in_state(head: Token, verb: Token, quoted: Callable[[Token], bool]) -> Token | None:
    """The people a "leave" verb (`leave_verbs.txt`) leaves wondering or to wonder: its direct object
    before the participle or infinitive, when it names people."""
    if head.lemma_.lower() not in lexicons.words("leave_verbs.txt") or verb.dep_ not in ("advcl", "xcomp"):
        return None
    if verb.tag_ not in ("VBG", "VB"):
        return None
    objects = [c for c in head.children if c.dep_ == "dobj" and head.i < c.i < verb.i and not quoted(c)]
    if not objects:
        return None
    people = objects[-1].tag_ in ("NNS", "NNPS") or objects[-1].ent_type_ in ("PERSON", "NORP", "ORG")
    return objects[-1] if people or objects[-1].lower_ in ("many", "some", "others") else None


def _nearest_subject(subjects: list[Token], verb: Token) -> Token:
    """Of several subjects the parser gave a cue, the one nearest it ("... for people with ideas to
    organize, she said"), or the first of a run of them that the parser cut out of one phrase
    ("GOP presidential candidate Dr. Ben Carson said": the role and the name are one speaker)."""
    ordered = sorted(subjects, key=lambda c: c.i)
    nearest = min(ordered, key=lambda c: abs(c.i - verb.i))
    k = ordered.index(nearest)
    while k > 0 and ordered[k - 1].right_edge.i + 1 == ordered[k].left_edge.i:
        k -= 1
    return ordered[k]


#: Verbs whose passive subject is the speaker of the report hung on them ("was quoted as saying").
_QUOTED_AS = frozenset({"quote", "cite"})


def _line_break_between(a: Token, b: Token) -> bool:
    lo, hi = sorted((a.i, b.i))
    between = a.doc[lo:hi]
    return "\n" in between.text or any(t.text in DATELINE_DASHES and t.whitespace_ for t in between)


def speaker_span(head: Token) -> tuple[int, int]:
    """The speaker phrase around its head: modifiers and appositions, not conjuncts or clauses."""
    tokens = [head]
    # A subject ends before its verb: a list the parser hung on it from past the verb, after a colon (`The
    # minister said she met two of them: Jane Doe and ...`), spells out the report.
    verb = head.head
    limit = verb.i if head.i < verb.i else len(head.doc)
    for child in head.children:
        if child.dep_ not in NOT_SPEAKER and child.i < limit:
            tokens.extend(child.subtree)
    # `Roy, a Legault ally, called ...` parsed as the name with a participle: the phrase ends there.
    ends = [c.left_edge.i for c in head.children if c.i > head.i and c.dep_ in NOT_SPEAKER and is_verb(c)]
    tokens = [t for t in tokens if not t.is_punct and t.i < min(ends, default=len(head.doc))] or [head]
    tokens = _after_dateline(tokens)
    first = min(tokens, key=lambda t: t.i)
    last = max(tokens, key=lambda t: t.i)
    return first.idx, last.idx + len(last.text)


def _after_dateline(tokens: list[Token]) -> list[Token]:
    """`TORONTO — Ontario's auditor general says`: the parser ran the dateline into the speaker's phrase (as
    its head, or a compound of it); the speaker is what follows the dateline's dash."""
    dash = dateline_dash(tokens)
    return tokens if dash is None else [t for t in tokens if t.i > dash.i] or tokens


def speaker_spans(heads: Iterable[Token]) -> list[tuple[int, int]]:
    """One span per conjoined speaker: "Putin and Aliyev" gives two."""
    spans: list[tuple[int, int]] = []
    for head in heads:
        head = _author_of_document(head) or head
        for tok in (head, *head.conjuncts):
            if tok.pos_ in ("NOUN", "PROPN", "PRON") or tok.i == head.i:
                span = speaker_span(tok)
                if span not in spans:
                    spans.append(span)
    return spans


def _author_of_document(head: Token) -> Token | None:
    """ "an analysis by the Pew Research Center", "a poll from Angus Reid": a document or poll
    (`evidence.txt`) speaks for its author, named in a "by" or "from" phrase."""
    if head.pos_ != "NOUN" or head.lemma_.lower() not in lexicons.words("evidence.txt"):
        return None
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in ("by", "from"):
            for author in prep.children:
                if author.dep_ == "pobj" and speaker_like(author) and author.pos_ != "PRON":
                    return author
    return None


def appositive_speaker(verb: Token, heads: Sequence[Token]) -> list[Token]:
    """ "To read the report, Jane Doe said, ...": the parser made the name right before the cue an
    apposition of the noun ending the clause, and that noun the cue's subject. The name is the speaker."""
    if not heads:
        return []
    names = [c for c in heads[0].children if c.dep_ == "appos" and c.right_edge.i == verb.i - 1]
    if not names or names[0].pos_ != "PROPN" or verb.doc[names[0].left_edge.i - 1].text != ",":
        return []
    return names[:1]


#: What may stand between a speaker's phrase misread as a clause and its cue (", also said").
_BEFORE_CUE = frozenset({"advmod", "punct", "neg", "aux"})


def subject_of_clause_before(verb: Token) -> list[Token]:
    """`Jane Doe, a rabbi helping to organize the boycott, said he ...`: the parser read the speaker's
    long phrase as a clause of the cue (a complement or adverbial clause before it) and left the cue
    without a subject. The first subject in that clause speaks, when the cue has its own complement
    after it (else the clause before may be the report: "The plan failed, said ...")."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or has_subject(verb):
        return []
    if not any(c.dep_ == "ccomp" and c.i > verb.i for c in verb.children):
        return []
    before = [c for c in verb.children if c.dep_ in ("ccomp", "advcl") and c.i < verb.i]
    if not before:
        return []
    clause = before[-1]
    gap = verb.doc[clause.right_edge.i + 1 : verb.i]
    if not gap or not all(t.dep_ in _BEFORE_CUE for t in gap) or not any(t.is_punct for t in gap):
        return []
    subjects = [
        t
        for t in clause.subtree
        if is_subject(t)
        and t.pos_ in ("NOUN", "PROPN", "PRON")
        and t.lower_ not in RELATIVE
        and t.lower_ not in ("it", "there")
    ]
    return subjects[:1]
