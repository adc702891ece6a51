"""Content: what a cue reports, from its dependency frame, and the trimming of it to the speaker's words.

Each frame is one function: a complement clause ("said that ..."), an object ("condemned the plan"), a
clause the cue interrupts ("Nothing, he said, will change") or closes ("A, but B, the source added"), a
pro-form ("said so"), a cue noun's that-clause ("his claim that ..."). Trailing asides (", which ...",
", arguing that ...") are the writer's and are cut.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from spacy.tokens import Doc, Token

from streams.nlp import lexicons
from streams.nlp.quotes.syntax import (
    RELATIVE,
    SUBJECTS,
    clause_of,
    coordinated_with_report,
    has_subject,
    holds_report,
    is_subject,
    is_verb,
    subtrees,
)


def content_tokens(verb: Token, frames: frozenset[str], cues: Container[str] = frozenset()) -> list[Token]:
    """The tokens of what the cue reports, from its dependency frame; [] when it reports nothing."""
    found = _frame_content(verb, frames, cues)
    more = _continuations(verb, found, cues) if found else []
    found = sorted([*found, *more], key=lambda t: t.i) if more else found
    listed = _list_after_colon(found) if found else []
    return [*found, *listed] if listed else found


#: The most tokens of a list after a colon that spells out the report's last noun.
_COLON_LIST_TOKENS = 40
_SENTENCE_ENDS = frozenset({".", "!", "?", ";"})


def _list_after_colon(found: list[Token]) -> list[Token]:
    """`said she had met two of the men: Jane Doe, a former mayor, and John Roe`: nouns or names after a
    colon right after the report, to the end of its sentence, spell out the report's last noun; the parser
    hangs them anywhere (often on the speaker, as an apposition)."""
    doc = found[0].doc
    end = found[-1].i
    colon = end + 1
    if colon + 1 >= len(doc) or doc[colon].text != ":" or doc[end].pos_ not in ("NOUN", "PROPN"):
        return []
    stop = next(
        (
            j
            for j in range(colon + 1, min(colon + 1 + _COLON_LIST_TOKENS, len(doc)))
            if doc[j].text in _SENTENCE_ENDS or "\n" in doc[j].text
        ),
        None,
    )
    span = doc[colon + 1 : stop] if stop is not None else None
    if span is None or not len(span) or any(t.is_quote for t in span):
        return []
    roots = [t for t in span if not (colon < t.head.i < stop)]
    if any(r.pos_ not in ("NOUN", "PROPN") for r in roots) or any(_main_finite(t, colon) for t in span):
        return []  # a clause of its own ("... act: councillors voted ..."), not a list of nouns
    return [doc[colon], *span]


#: Modals of a clause reported in the past ("said he would ..."): a verb the parser coordinated with
#: the cue that carries one goes on with the report, not with the speaker's acts.
_BACKSHIFTED_MODALS = frozenset({"would", "could", "might", "should"})


def _continuations(verb: Token, found: list[Token], cues: Container[str]) -> list[Token]:
    """What the parser hung on the cue right after its content that goes on with the report: a second
    that-clause ("told reporters that A but that B"), a verb without a subject under a backshifted modal
    ("said he backed A but would now back B"), an infinitive completing the content's last noun
    ("praised the efforts of the envoy to find a solution") or a phrase going on with the object
    ("estimated her fortune at $4 billion"), the rest of a list of infinitives ("vowed to repair the
    bridge, widen the road and ...")."""
    doc = verb.doc
    end = max(t.i for t in found)
    out: list[Token] = []
    nominal = _nominal(verb, found)
    for c in sorted(verb.children, key=lambda t: t.i):
        if c.i <= end or c.left_edge.i <= end or c.is_punct or c.dep_ == "cc":
            continue  # the comma and the conjunction before a conjunct hang on the cue too
        if not all(t.is_punct or t.dep_ == "cc" for t in doc[end + 1 : c.left_edge.i]):
            break
        if c.dep_ == "conj" and (_second_that_clause(c) or _backshifted_predicate(c)) and not holds_report(c, cues):
            out.extend(c.subtree)
        elif c.dep_ == "advcl" and c.left_edge.i == end + 1 and _infinitive(c):
            out.extend(_without_finite_conjuncts(c))
        elif c.dep_ == "prep" and c.left_edge.i == end + 1 and nominal and _qualifies_object(c):
            # "estimated her fortune at $4 billion", "criticized the politics on display in the race": the
            # parser hung on the cue a phrase that goes on with its object.
            out.extend(c.subtree)
        elif c.dep_ in ("advcl", "conj") and _bare_verb(c) and _ends_in_infinitive(doc, found, end):
            # "is ready to take on the cartel, secure the border and ...": the list of infinitives goes on.
            out.extend(_without_finite_conjuncts(c))
        else:
            break
        end = c.right_edge.i
    return out


def _second_that_clause(clause: Token) -> bool:
    return _opens_with_that(clause) and has_subject(clause)


def _backshifted_predicate(verb: Token) -> bool:
    if has_subject(verb) or _withholds(verb):
        return False  # "said A but would not elaborate": what the speaker withheld, not a part of the report
    return any(c.dep_ == "aux" and c.lower_ in _BACKSHIFTED_MODALS for c in verb.children)


def _withholds(verb: Token) -> bool:
    """ "would not say", "could not elaborate": a verb of giving out information, negated."""
    return any(c.dep_ == "neg" for c in verb.children) and _discloses(verb)


#: Verbs of refusing whose infinitive of saying or disclosing tells what the speaker withheld.
_REFUSALS = frozenset({"decline", "refuse"})


def _withheld(verb: Token) -> bool:
    """A verb without a subject coordinated with the reported clause that says what the speaker did not
    say: "said A but would not elaborate", "but declined to comment", "and did not say more"."""
    if verb.dep_ != "conj" or verb.head.dep_ != "ccomp" or has_subject(verb):
        return False
    if any(c.dep_ == "ccomp" for c in verb.children):
        return False  # "but did not say when it would open": a report of its own, not cut from this one
    if verb.lemma_.lower() in _REFUSALS:
        return any(c.dep_ == "xcomp" and _discloses(c) for c in verb.children)
    return _withholds(verb)


def _discloses(verb: Token) -> bool:
    return verb.lemma_.lower() in lexicons.words("disclosure_verbs.txt")


#: Prepositions of time or concession: a phrase they open after the cue's object says when or despite
#: what the words were said ("praised the plan during a rally", "after meeting the premier").
_CIRCUMSTANCE_PREPS = frozenset(
    {"during", "despite", "before", "after", "following", "since", "until", "throughout", "ahead", "amid"}
)


def _nominal(verb: Token, found: list[Token]) -> bool:
    """Whether the content is the cue's object (its own nouns and prepositions), not a clause."""
    ids = {t.i for t in found}
    tops = [t for t in found if t.head.i not in ids or t.head.i == t.i]
    return all(t.head.i == verb.i and t.dep_ in ("dobj", "oprd", "prep", "dative") for t in tops)


def _qualifies_object(prep: Token) -> bool:
    """A prepositional phrase after the object that can be part of it: not when or in what medium the
    words were said ("on Monday", "in a statement"), nor how ("by pointing out ...")."""
    if prep.lower_ in _CIRCUMSTANCE_PREPS:
        return False
    objects = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
    if not objects:
        return False
    media = lexicons.words("media.txt")
    return not any(o.ent_type_ in ("DATE", "TIME") or is_verb(o) or o.lemma_.lower() in media for o in objects)


def _bare_verb(verb: Token) -> bool:
    """A verb in its plain form (the small model may tag it as a present) without subject or auxiliary."""
    return (
        verb.tag_ in ("VB", "VBP")
        and not has_subject(verb)
        and not any(c.dep_ in ("aux", "mark") for c in verb.children)
    )


def _ends_in_infinitive(doc: Doc, found: list[Token], end: int) -> bool:
    """Whether the content closes on a to-infinitive's phrase ("... ready to take on the cartel,")."""
    last = end
    while last > found[0].i and (doc[last].is_punct or doc[last].is_quote):
        last -= 1
    tok = doc[last]
    heads = [tok, *tok.ancestors]
    first = found[0].i
    return any(_infinitive(h) and h.right_edge.i >= last and h.i >= first for h in heads[:6])


def _infinitive(verb: Token) -> bool:
    return verb.tag_ == "VB" and verb.left_edge.tag_ == "TO" and verb.left_edge.head.i == verb.i


def _without_finite_conjuncts(verb: Token) -> list[Token]:
    """An infinitive's subtree without a finite verb the parser coordinated with it ("to describe X and
    beefed up Y"): that one is the speaker's next act."""
    finite = [c for c in verb.children if c.dep_ == "conj" and c.tag_ in ("VBD", "VBZ", "VBP")]
    if not finite:
        return list(verb.subtree)
    stop = min(c.left_edge.i for c in finite)
    while stop > verb.i and (verb.doc[stop - 1].is_punct or verb.doc[stop - 1].dep_ == "cc"):
        stop -= 1
    return [t for t in verb.subtree if t.i < stop]


def _frame_content(verb: Token, frames: frozenset[str], cues: Container[str]) -> list[Token]:
    children = list(verb.children)
    if "clause" in frames and (relative := relative_report(verb)):
        return relative
    ccomp = [c for c in children if c.dep_ == "ccomp" and _may_report(verb, c)]
    if "clause" in frames and ccomp:
        # The nearest complement: a second one across the cue is usually a misparsed neighbour clause.
        # One after the cue opening with "that" goes first; on a tie, one with a single subject (two
        # mean the parser ran the speaker into it: "A, said a former aide, who ... Mr. X helped"),
        # then the one after the cue.
        nearest = min(
            ccomp,
            key=lambda c: (
                not _that_clause_after(verb, c),
                min(abs(t.i - verb.i) for t in (c.left_edge, c.right_edge)),
                sum(s.dep_ in SUBJECTS for s in c.children) > 1,
                c.i < verb.i,
            ),
        )
        clauses = [*_listed_before(verb, nearest, cues), *_listed_after(verb, nearest, cues)]
        last = clauses[-1]
        subject = _object_as_subject(verb, clauses[0])
        found = subtrees([*subject, *clauses, *_reasons_after(verb, last), *_coordinated_after(verb, last, cues)])
        return found + _elaboration_after_colon(verb, found, cues)
    if "xcomp" in frames:
        # "warned officials to act": the addressee is the subject of the urged act, so part of its report.
        xcomp = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
        if xcomp and any(c.dep_ == "dobj" for c in children):
            return subtrees([*(c for c in children if c.dep_ == "dobj"), *xcomp])
    if "infinitive" in frames:
        # "pledged to oppose the bill": what the speaker committed to.
        infinitives = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i and c.tag_ == "VB"]
        if infinitives and any(a.tag_ == "TO" for a in infinitives[0].children):
            return subtrees(infinitives[:1])
    if "name" in frames and any(c.dep_ == "oprd" for c in children):
        return subtrees(c for c in children if c.dep_ in ("dobj", "oprd"))
    if "object" in frames and not ("as" in frames and _called_as(verb)):
        objects = [c for c in children if c.dep_ in ("dobj", "oprd")] or reported_by_agent(verb)
        if objects:
            # "criticized the senator for opposing the bill": whom, and what for.
            holders = [verb, *objects]
            reasons = [c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == "for"]
            # "denounced suggestions by two senators, ..., that they would ...": the parser hung the cue
            # noun's that-clause on the verb.
            claims = [c for c in children if c.dep_ == "ccomp" and c.i > objects[0].i and _opens_with_that(c)]
            claims = claims if objects[0].lemma_.lower() in cues else []
            return subtrees([*objects, *(r for r in reasons if r.i > objects[0].i), *claims])
    for word in ("of", "as", "for", "on", "to"):
        if word in frames:
            preps, objects = _prep_objects(verb, word)
            if word == "as" and not objects:
                # "described the dinner as Washington celebrating itself": an "as" clause of the verb.
                preps = [c for c in children if c.dep_ == "advcl" and any(m.lower_ == "as" for m in c.children)]
                objects = [c for c in children if c.dep_ == "dobj"] if preps else []
            if objects:
                if word == "as":  # "described the plan as a failure": the object and what it is called
                    objects = [c for c in children if c.dep_ == "dobj"] + preps
                if word == "on":  # "called on Congress to act": whom, and what they are to do
                    objects += [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
                if word == "to":  # "pointed to China as the enforcer": what, and what it is taken for
                    objects += [c for c in children if c.dep_ == "prep" and c.lower_ == "as" and c.i > preps[0].i]
                return subtrees(objects)
    if "as-it" in frames and not _as_clause(verb, idiom=True):
        return []  # "put" reports only in "as the mayor put it"
    if ("clause" in frames or "as-it" in frames) and _as_clause(verb, idiom="as-it" in frames):
        return _as_clause_content(verb, cues)
    if "clause" in frames and verb.dep_ == "parataxis" and verb.head.i != verb.i:
        return _interrupted_by_cue(verb)
    if "clause" in frames and verb.dep_ in ("ROOT", "conj", "advcl"):
        # `He said: "..."` and "He said the plan would fail" parsed without a ccomp.
        objects = [c for c in children if c.dep_ == "dobj" and c.i > verb.i and verb.lemma_ != "tell"]
        if objects and (predicate := _predicate_after_object(verb, objects[0])):
            return subtrees([objects[0], predicate])
    if "clause" in frames and verb.dep_ in ("ROOT", "conj"):
        objects = [c for c in children if c.dep_ == "dobj" and c.i > verb.i and verb.lemma_ != "tell"]
        # A clause, with a verb that has a subject: "found ways to press ..." is an object, not a report.
        if objects and any(is_verb(t) and any(c.dep_ in SUBJECTS for c in t.children) for t in subtrees(objects)):
            return subtrees(objects)
    if "clause" in frames and (
        gerund := [c for c in children if c.dep_ == "xcomp" and c.tag_ == "VBG" and c.i > verb.i]
    ):
        return subtrees(gerund[:1])  # "reported raising $9 million", "denied knowing about it"
    if "clause" in frames:
        return that_clause_in_circumstances(verb) or _misparsed_that_clause(verb) or _unmarked_complement(verb)
    return []


#: Tags of a finite verb or auxiliary: a clause that can be said.
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
#: The most phrases (the addressee, "after the game", "on Thursday") between a cue and its complement.
_CUE_PHRASES = 4


def _unmarked_complement(verb: Token) -> list[Token]:
    """`told reporters after the game his team had been unlucky`, `after Trump told the Post he was ...`:
    a finite clause with its own subject right after the cue, its addressee and its circumstances, opened
    by no subordinator, that the parser hung elsewhere (an adverbial clause of the cue, the clause the cue
    is adverbial to, a preposition read as its subordinator) is the cue's complement."""
    doc = verb.doc
    if verb.dep_ in ("amod", "compound"):
        return []  # "protesting delegates": a participle modifying a noun
    start = verb.i + 1
    for _ in range(_CUE_PHRASES):
        if start >= len(doc):
            return []
        tok = doc[start]
        addressee = tok.head.i == verb.i and tok.dep_ in ("dobj", "dative") and tok.left_edge.i == start
        # A phrase with an object ("after the game", "on Thursday"), whatever the parser hung it on.
        phrase = tok.dep_ in ("prep", "mark") and any(c.dep_ == "pobj" for c in tok.children)
        when = tok.dep_ == "npadvmod" and tok.left_edge.i == start
        if not (addressee or phrase or when):
            break
        start = tok.right_edge.i + 1
    if start >= len(doc) or any(t.is_punct for t in doc[verb.i + 1 : start]):
        return []  # ", a columnist said ...": a comma parts the cue from a clause of its own
    if start == verb.i + 1 and verb.tag_ == "VBG":
        return []  # "alleging cronyism ...", "protesting delegates": an object or a modified noun follows
    subject = next(
        (t for t in doc[start : start + _INTERRUPTION_WORDS] if t.left_edge.i == start and is_subject(t)), None
    )
    if subject is None or subject.lower_ in RELATIVE or subject.lower_ == "what":
        return []  # "about any follow-up that they need": a relative clause
    clause = subject.head
    finite = clause.tag_ in _FINITE or any(a.dep_ in ("aux", "auxpass") and a.tag_ in _FINITE for a in clause.children)
    if not finite or clause.i < subject.i or clause.i == verb.i or clause.dep_ == "relcl":
        return []
    if any(m.dep_ == "mark" and m.i >= start for m in clause.children):
        return []  # a subordinate clause of its own ("... the team, because it ...")
    return [t for t in clause.subtree if t.i >= start]


def _main_finite(tok: Token, colon: int) -> bool:
    """A finite verb after the colon that is not inside a relative clause or a modifier of a noun."""
    if tok.tag_ not in _FINITE:
        return False
    for t in (tok, *tok.ancestors):
        if t.i <= colon:
            return True
        if t.dep_ in ("relcl", "acl"):
            return False
    return True


def _elaboration_after_colon(verb: Token, found: list[Token], cues: Container[str]) -> list[Token]:
    """ "noted that A: 70 percent believe B": the parser made the cue's clause hang on the one after the
    colon, which goes on with the report unless it is a quotation or a report of its own."""
    head = verb.head
    if verb.dep_ != "ccomp" or head.i <= verb.i or not found or head.lemma_.lower() in cues:
        return []
    colon = max(t.i for t in found) + 1
    doc = verb.doc
    if colon >= head.i or doc[colon].text != ":" or colon + 1 >= len(doc) or doc[colon + 1].is_quote:
        return []
    if any(t.lemma_.lower() in cues and is_verb(t) and t.i > colon for t in head.subtree):
        return []  # ": six in 10 said ...": a report of its own
    return [t for t in head.subtree if t.i > colon]


def _opens_with_that(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _misparsed_that_clause(verb: Token) -> list[Token]:
    """`noting that at one point he had trailed ...` with "that" read as a preposition, `reassuring Putin
    that Beijing has no plans ...` with the clause read as adverbial: a clause opened by "that" after
    the cue, with a verb and its own subject, is the cue's complement whatever the parser made of it."""
    doc = verb.doc
    for c in verb.children:
        opener = c.left_edge
        while opener.pos_ == "ADV" and opener.head.i == c.i and opener.i < c.i:
            opener = doc[opener.i + 1]  # "saying only that he was ...": a focusing adverb before it
        if c.i < verb.i or opener.lower_ != "that" or doc[opener.i - 1].lower_ in ("so", "such"):
            continue
        if c.dep_ == "advcl" and opener.dep_ == "mark" and opener.head.i == c.i and has_subject(c):
            return [t for t in c.subtree if t.i >= opener.i]
        if c.dep_ == "prep" and c.i == verb.i + 1 and any(is_verb(t) and has_subject(t) for t in c.subtree):
            return list(c.subtree)
    return []


def _predicate_after_object(verb: Token, obj: Token) -> Token | None:
    """`claims Smith runs the network`: the parser made the complement's subject the cue's object and its
    verb a conjunct of the cue; a finite verb without a subject right after the object is that predicate.
    After a participle cue (`..., saying the plan - a levy on fuel - is unfair`) the parser may hang that
    verb on the clause the participle trails, as a conjunct or an unlabelled dependent."""
    hosts = [verb, verb.head] if verb.dep_ == "advcl" else [verb]
    for c in (c for h in hosts for c in h.children):
        if c.dep_ not in ("conj", "dep") or (c.dep_ == "dep" and verb.dep_ != "advcl"):
            continue
        between = verb.doc[obj.right_edge.i + 1 : c.left_edge.i]
        if c.left_edge.i <= obj.right_edge.i or not all(t.is_punct for t in between):
            continue
        if c.tag_ not in ("VBZ", "VBD", "VBP"):
            continue
        if not has_subject(c):
            return c
    return None


#: Subordinators opening an adverbial clause the parser may hang on a cue as its complement.
_ADVERBIAL_MARKS = frozenset(
    {"while", "although", "though", "because", "since", "when", "as", "after", "before", "until", "unless", "whereas"}
)


#: Subordinators of time opening an adverbial clause after the cue that the parser took for its complement.
_TIME_MARKS = frozenset({"as", "while", "when", "whenever", "after", "before", "until", "once"})


def _may_report(verb: Token, clause: Token) -> bool:
    """Whether a complement clause of the cue can be its report: not an adverbial clause before it ("While
    others blame X, she points to ..."), nor a clause across a line break (a headline run into the text)."""
    if clause.i < verb.i and any(m.dep_ == "mark" and m.lower_ in _ADVERBIAL_MARKS for m in clause.children):
        return False
    opener = clause.left_edge
    if clause.i > verb.i and opener.dep_ == "mark" and opener.head.i == clause.i and opener.lower_ in _TIME_MARKS:
        return False  # `"...," he said as the crowd booed`: when he said it, not what
    lo, hi = sorted((verb.i, clause.left_edge.i if clause.i > verb.i else clause.right_edge.i))
    return "\n" not in verb.doc[lo:hi].text


def _that_clause_after(verb: Token, clause: Token) -> bool:
    return clause.i > verb.i and any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children)


def reported_by_agent(verb: Token) -> list[Token]:
    """ "The meeting was first reported by Politico": the passive subject of a cue with its agent is what
    the agent reported (condemned, confirmed)."""
    if not any(c.dep_ == "agent" for c in verb.children):
        return []
    return [c for c in verb.children if c.dep_ == "nsubjpass" and c.i < verb.i and c.lower_ not in RELATIVE]


def _interrupted_by_cue(verb: Token) -> list[Token]:
    """ "Nothing, he said, will change": the clause a parenthetical cue interrupts is its report."""
    own = {t.i for t in verb.subtree}
    clause = [t for t in clause_of(verb).subtree if t.i not in own]
    after = [t for t in clause if t.i > verb.i and not t.is_space]
    # `Asked about X, he said, "We ...`: a quotation opening its own sentence is all the report. Its
    # opening mark may hang on the cue (`he said, "It is ...`), so look from the cue on.
    lead = [t for t in verb.doc[verb.i + 1 : after[0].i] if t.is_quote] if after else []
    if after and opens_new_sentence([*lead, *after]):
        return after
    words = [t for t in after if not t.is_punct]
    # Only after a closing quotation mark: the quotation is all the speaker said.
    first = verb.left_edge.i
    closing = any(t.is_quote for t in verb.doc[max(first - 1, 0) : verb.i])
    quoted = closing and not any(t.is_quote for t in after)
    if quoted and words and (_second_report(words[0]) or words[0].lower_ in _NOT_CONTINUING):
        # `"Too much hate," she said, blaming ...`: the writer's account of what came with the words;
        # `"...," he said, as the crowd booed`: of when they were said.
        return [t for t in clause if t.i < verb.i]
    return clause


def _as_clause_content(verb: Token, cues: Container[str]) -> list[Token]:
    """ "As the mayor noted, the bridge is old": the clause the "as" phrase hangs on is the report."""
    head = clause_of(verb)
    own = {t.i for t in verb.subtree}
    if head.lemma_.lower() in cues and any(c.dep_ == "ccomp" for c in head.children):
        # "As he noted, the mayor said the bridge is old": that cue and its speaker are no part of it
        own |= {head.i} | {t.i for c in head.children if c.dep_ in SUBJECTS for t in c.subtree}
    return [t for t in head.subtree if t.i not in own]


def _finite(verb: Token) -> bool:
    return verb.tag_ in _FINITE or any(a.dep_ in ("aux", "auxpass") and a.tag_ in _FINITE for a in verb.children)


def relative_report(verb: Token) -> list[Token]:
    """`the drawdown, which they say left a vacuum`: a cue inside a relative clause whose relative
    pronoun is the subject of the report, not of the cue. The report is the pronoun and the complement."""
    if verb.dep_ != "relcl":
        return []
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS and c.i < verb.i]
    relatives = [c for c in subjects if c.lower_ in RELATIVE]
    if not relatives:
        # "which he argued help ease ...": the parser hung the pronoun on the complement instead.
        relatives = [t for t in verb.subtree if t.i < verb.i and t.lower_ in RELATIVE and t.tag_ in ("WDT", "WP")]
        subjects = [*relatives[:1], *subjects]
    complements = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and c.i > verb.i and is_verb(c)]
    if not complements or complements[0].tag_ == "VBG" or any(a.tag_ == "TO" for a in complements[0].children):
        return []  # "which they want to keep", "which he kept saying": no report of a clause
    if not relatives and subjects and not has_subject(complements[0]) and _finite(complements[0]):
        # "the emails the department says are classified": no pronoun; the noun the clause describes
        # is the subject of the report.
        # Not a subject ("Nothing the president said will help": the verb may be its own), nor before a
        # quotation (the quoted words are the report).
        antecedent = verb.head
        quotation = any(t.is_quote for t in verb.doc[verb.i + 1 : complements[0].i])
        noun = antecedent.pos_ in ("NOUN", "PROPN", "PRON") and antecedent.i < verb.i
        if noun and not is_subject(antecedent) and not quotation:
            named = [t for t in antecedent.subtree if t.i < verb.left_edge.i]
            return [*named, *subtrees(complements[:1])]
    if not relatives or len(subjects) < 2:
        return []
    return [relatives[0], *subtrees(complements[:1])]


def _prep_objects(verb: Token, word: str) -> tuple[list[Token], list[Token]]:
    """The cue's prepositions `word` and their objects: "accused Russia of ...", where the parser hangs
    "of" on the verb or on its object."""
    holders = [verb, *(c for c in verb.children if c.dep_ == "dobj")]
    preps = [c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == word]
    return preps, [t for p in preps for t in p.children if t.dep_ in ("pobj", "pcomp")]


def _called_as(verb: Token) -> bool:
    """Whether the cue says what something is called: "described the plan as a failure" (a preposition)
    or "described the summit as the provinces finally speaking" (an "as" clause)."""
    if _prep_objects(verb, "as")[0]:
        return True
    return any(c.dep_ == "advcl" and any(m.lower_ == "as" for m in c.children) for c in verb.children)


def that_clause_in_circumstances(verb: Token) -> list[Token]:
    """ "said in a statement that the race ...", "said during a news conference that he may wait": the
    parser hung the that-clause on the noun of the cue's circumstances, as if it were a relative clause.
    A clause opened by "that" as a conjunction (not a relative pronoun) with its own subject is the report."""
    for prep in verb.children:
        # "told a meeting of island leaders that ...": the addressee's phrase holds it the same way.
        if prep.dep_ not in ("prep", "dobj", "dative") or prep.i < verb.i:
            continue
        # "said in one of a series of messages that ...": the clause may hang on any noun of the phrase.
        for clause in prep.subtree:
            if clause.dep_ not in ("acl", "relcl") or not is_verb(clause) or clause.i > prep.i + _CIRCUMSTANCE_TOKENS:
                continue
            opener = clause.left_edge
            if opener.lower_ != "that" or opener.head.i != clause.i:
                continue
            # "said in a news release that profits rose", parsed with "that" as the relative clause's subject
            # and "profits" as a second one: no relative clause has two.
            subjects = [c for c in clause.children if is_subject(c) and c.i != opener.i]
            if subjects and (opener.dep_ == "mark" or is_subject(opener)):
                return list(clause.subtree)
    return []


#: The most tokens a cue's circumstances ("in one of a series of messages") hold before its that-clause.
_CIRCUMSTANCE_TOKENS = 15


#: The most words a cue phrase interrupting its clause may hold on either side of the cue
#: (", the city's longtime mayor said on Monday,").
_INTERRUPTION_WORDS = 8
#: Words opening the rest of a sentence after ", he said," that make it a new clause, not the rest
#: of the reported one: a second report (", adding ..."), a relative clause, a coordinated one.
_NOT_CONTINUING = frozenset({"which", "who", "whose", "where", "when", "and", "but", "while", "as", "according"})


#: Dependents of a cue that may stand in its phrase between the commas (", he said Monday in a
#: statement,"); anything else there (an object, a clause) means the cue is not an interruption.
_CUE_PHRASE = frozenset({"npadvmod", "advmod", "prep", "pobj", "det", "compound", "amod", "nummod", "poss", "case"})


def phrase_only(doc: Doc, start: int, end: int, verb: Token) -> bool:
    """Tokens start..end (exclusive) are the cue's adverbials (time, place, manner) or its addressee
    ("told a Commons committee"), nothing else."""
    return end - start <= _INTERRUPTION_WORDS and all(
        (doc[j].dep_ in _CUE_PHRASE or _addressee(verb, doc[j])) and verb in doc[j].ancestors for j in range(start, end)
    )


#: Cues whose object is the one spoken to, not what was said ("told reporters").
_ADDRESSEE_CUES = frozenset({"tell"})


def _addressee(verb: Token, tok: Token) -> bool:
    """The object of "tell": whom the speaker told."""
    return verb.lemma_ in _ADDRESSEE_CUES and tok.head.i == verb.i and tok.dep_ in ("dobj", "dative")


def _second_report(tok: Token) -> bool:
    """ ", he said, adding ...": a participle opening the rest of the sentence, unless it is the
    subject of that rest (", he said, replacing her would be hard")."""
    return tok.tag_ == "VBG" and tok.dep_ not in ("csubj", "csubjpass", "nsubj", "nsubjpass")


def opens_new_sentence(after: Sequence[Token]) -> bool:
    """`..., he said, "We ...`: a quotation opening with a capital starts the speaker's own sentence;
    `..., he said, "we were ...` goes on with the clause before the cue."""
    if not after[0].is_quote:
        return False
    words = [t for t in after[1:] if not t.is_punct]
    return not words or not words[0].text[:1].islower()


def interrupted_clause(verb: Token, heads: Sequence[Token]) -> list[Token]:
    """ "Nothing, the mayor said on Monday, will change": a cue phrase set off by commas in the middle
    of its sentence reports the whole sentence around it, whichever way the parser attached it."""
    if not heads or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return []
    doc = verb.doc
    sent = verb.sent
    subject = heads[0]
    if subject.sent != sent or subject.left_edge.i > verb.i + _INTERRUPTION_WORDS:
        return []
    first = min(subject.left_edge.i, verb.i)
    last = max(subject.right_edge.i, verb.i)
    left = first - 1
    right = next((j for j in range(last + 1, sent.end) if doc[j].is_punct), sent.end)
    if left <= sent.start or doc[left].text != "," or right >= sent.end or doc[right].text != ",":
        return []
    if not phrase_only(doc, last + 1, right, verb):
        return []
    before = [t for t in doc[sent.start : left] if not t.is_punct and not t.is_space]
    after = [t for t in doc[right + 1 : sent.end] if not t.is_space]
    if not before or before[-1].lower_ in RELATIVE or len(after) < 3:
        return []
    if opens_new_sentence(after) or after[0].lower_ in _NOT_CONTINUING or _second_report(after[0]):
        return []
    return [t for t in sent if t.i < left or t.i > right]


def trailing_clause(verb: Token, heads: Sequence[Token]) -> list[Token]:
    """ "A, but B, the source added.": a cue phrase closing its sentence after a comma reports all of
    the sentence before it, though the parser hung the cue on A and gave it only B."""
    if not heads or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return []
    ccomp = [c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i]
    if not ccomp and not _closes_without_complement(verb):
        return []
    doc = verb.doc
    sent = verb.sent
    subject = heads[0]
    if subject.sent != sent:
        return []
    first = min(subject.left_edge.i, verb.i)
    last = max(subject.right_edge.i, verb.i)
    left = first - 1
    if left <= sent.start or doc[left].text != "," or (ccomp and ccomp[0].right_edge.i >= left):
        return []
    end = next((j for j in range(last + 1, sent.end) if doc[j].is_punct or doc[j].is_space), sent.end)
    if any(not (t.is_punct or t.is_space) for t in doc[end : sent.end]) or not phrase_only(doc, last + 1, end, verb):
        return []
    if ccomp and ccomp[0].left_edge.i <= sent.start:
        return []
    before = doc[sent.start : left]
    if not ccomp and not any(is_verb(t) for t in before):
        return []  # "In Washington, he said.": no clause before the cue
    return list(before)


def _closes_without_complement(verb: Token) -> bool:
    """`The plant is hanging on, but it is under pressure, he said.` parsed with the cue as an adverbial
    clause, or as the root with the clause before it in pieces: a cue with no complement of its own."""
    if verb.dep_ not in ("advcl", "ROOT", "parataxis", "conj"):
        return False
    complements = ("ccomp", "dobj", "xcomp", "attr", "oprd")
    return not any(c.dep_ in complements and not _addressee(verb, c) for c in verb.children)


def _as_clause(verb: Token, idiom: bool = False) -> bool:
    """ "as experts have pointed out": an "as" clause of a cue with no complement of its own; with
    `idiom`, one whose object is "it" ("as one resident put it")."""
    if verb.head.i == verb.i or not any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
        return False
    if is_verb(verb.head) and verb.head.i < verb.i and not verb.doc[verb.left_edge.i - 1].is_punct:
        # "the crowd cheered as he replied": when, not an aside on what was said (set off by a comma);
        # a comparison ("not as large as he claimed") hangs on its adjective.
        return False
    objects = [c for c in verb.children if c.dep_ in ("ccomp", "dobj", "xcomp")]
    if idiom:
        return len(objects) == 1 and objects[0].lower_ == "it"
    return not objects


#: Subordinators whose clause after a report gives the speaker's reason, not the circumstances of
#: the saying: the parser hangs "said the plan failed because ..." on the cue.
_REASON_MARKS = frozenset({"because"})


def _reasons_after(verb: Token, content: Token) -> list[Token]:
    """Adverbial clauses of the cue right after its reported clause that belong to the report."""
    end = content.right_edge.i
    return [
        c
        for c in verb.children
        if c.dep_ == "advcl"
        and c.left_edge.i > end
        and c.left_edge.lower_ in _REASON_MARKS
        and all(t.is_punct for t in verb.doc[end + 1 : c.left_edge.i])
    ]


def _object_as_subject(verb: Token, clause: Token) -> list[Token]:
    """`said his frequent use of the word doesn't help`: the parser made the complement's subject the
    cue's object; a subject-less complement right after it takes it back."""
    if clause.i < verb.i or has_subject(clause):
        return []
    # "said the days when ... are gone": the parser may read the subject as the cue's adverbial noun.
    # "said just because it was not obvious did not mean ...": or a clause, as its adverbial clause.
    objects = [c for c in verb.children if c.dep_ in ("dobj", "npadvmod", "advcl") and verb.i < c.i < clause.i]
    if len(objects) != 1 or objects[0].right_edge.i + 1 != clause.left_edge.i:
        return []
    return objects


def _listed_after(verb: Token, first: Token, cues: Container[str]) -> list[Token]:
    """The complement and the clauses listed after it that the parser hung on the cue instead: "said
    the tax would rise, the schools would close and ..." (a second complement), "said she worked nights,
    skipped meals and was ..." (a verb without a subject after a comma, in a list closed by "and"/"or")."""
    doc = verb.doc
    clauses = [first]
    for c in sorted(verb.children, key=lambda t: t.i):
        if c.is_punct or c.dep_ == "cc":
            continue  # the comma and the conjunction between two clauses hang on the cue too
        last_word = clauses[-1].right_edge.i
        while last_word > clauses[-1].i and doc[last_word].is_punct:
            last_word -= 1
        first_word = c.left_edge.i
        while first_word < c.i and (doc[first_word].is_punct or doc[first_word].dep_ == "cc"):
            first_word += 1
        if c.i <= last_word or first_word <= last_word:
            continue
        gap = doc[last_word + 1 : first_word]
        if not gap and c.dep_ == "ccomp" and c.lemma_.lower() not in cues:
            # "said the Iranians released by the US were close to ...": the parser split one clause in two.
            clauses.append(c)
            continue
        if not gap or not all(t.is_punct or t.dep_ == "cc" for t in gap) or c.lemma_.lower() in cues:
            break
        subject = has_subject(c)
        listed = gap[0].text == "," and any(t.dep_ == "cc" for t in doc[first_word : c.right_edge.i + 1])
        # "said A, but that B": a second complement, its "that" says so.
        second = c.dep_ == "conj" and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        # ", a swipe at ...", "- a proposal he has raised before": a noun phrase after the report, the
        # writer's gloss though the parser made it a second complement.
        gloss = c.pos_ == "NOUN" and doc[first_word].lower_ in ("a", "an") and doc[first_word].head.i == c.i
        # (One in quotation marks is the speaker's words: `distressed -- "an outrage" -- that ...`.)
        gloss = gloss and not any(t.is_quote for t in gap)
        if (c.dep_ == "ccomp" and not gloss) or second or (c.dep_ == "conj" and not subject and is_verb(c) and listed):
            clauses.append(c)
        else:
            break
    return clauses


#: Punctuation between two clauses of one report ("A -- but B", "A, and B").
_LIST_PUNCT = frozenset({",", ";", "-", "--", "—", "–"})


def _listed_before(verb: Token, last: Token, cues: Container[str]) -> list[Token]:
    """ "A -- but B, he said": complements the parser hung on a closing cue before the nearest one, with
    only punctuation and a conjunction between them, are reported too (in their order)."""
    if last.i > verb.i:
        return []
    doc = verb.doc
    out: list[Token] = []
    start = last.left_edge.i
    while start < last.i and (doc[start].is_punct or doc[start].dep_ == "cc"):
        start += 1
    for c in sorted((c for c in verb.children if c.dep_ == "ccomp" and c.i < last.i), key=lambda t: -t.i):
        end = c.right_edge.i
        while end > c.i and doc[end].is_punct:
            end -= 1
        # `...: "A," he said`, `(B, wrote X)`: a colon, a bracket or a quotation mark parts the writer's
        # clause from the quotation the cue closes.
        gap = doc[end + 1 : start]
        if not all(t.text in _LIST_PUNCT or t.dep_ == "cc" for t in gap) or c.lemma_.lower() in cues:
            break
        out.insert(0, c)
        start = c.left_edge.i
    return out


def _coordinated_after(verb: Token, content: Token, cues: Container[str]) -> list[Token]:
    """`says A, but "B"`: a clause the parser coordinated with the cue right after its complement."""
    end = content.right_edge.i
    doc = verb.doc
    out = []
    for c in verb.children:
        if c.dep_ != "conj" or c.i < end or not any(s.dep_ in SUBJECTS for s in c.children):
            continue
        between = doc[end + 1 : c.left_edge.i]
        if not all(t.is_punct or t.dep_ == "cc" for t in between):
            continue
        if holds_report(c, cues) or not any(t.is_quote for t in c.subtree):
            continue  # only the speaker's quoted words tell the clause is theirs, not the writer's
        out.append(c)
    return out


#: Dependencies a pro-form content stands in under its cue ("said so", "said no", "said the same"; the
#: small model may read "the same" after the cue as a second subject).
_PROFORM_DEPS = ("dobj", "advmod", "npadvmod", "intj", "acomp", "attr", "oprd", "ccomp", "nsubj")


def proform_content(verb: Token, proforms: Container[str]) -> list[Token]:
    """ "Half said so", "said as much": a pro-form standing for what was said, after the cue."""
    for child in verb.children:
        if child.i < verb.i or child.dep_ not in _PROFORM_DEPS or child.lower_ not in proforms:
            continue
        if child.lower_ == "much" and not any(c.lower_ == "as" for c in child.children):
            continue
        # "the same of Trump" keeps its "of"; "as much in an interview" drops the circumstances.
        kept = [c for c in child.children if c.i < child.i or _names_target(c)]
        kept += [c for c in verb.children if c.i == child.right_edge.i + 1 and _names_target(c)]
        return sorted([child, *subtrees(kept)], key=lambda t: t.i)
    # "said no to the plan" read with "no" hung on "to": the phrase opening on the pro-form is the report.
    for prep in verb.children:
        opener = prep.left_edge
        if prep.i > verb.i and opener.i < prep.i and opener.head.i == prep.i and opener.lower_ in proforms:
            return list(prep.subtree) if _names_target(prep) else []
    return []


#: Prepositions naming what a pro-form is said of ("said no to the war", "the same for the senator").
_PROFORM_TARGETS = frozenset({"to", "for", "of", "about"})


def _names_target(prep: Token) -> bool:
    """A phrase on a pro-form, or on its cue right after it, naming what the pro-form is said of ("said no
    to the war", "the same of the senator"), not when ("the same for years")."""
    if prep.dep_ != "prep" or prep.lower_ not in _PROFORM_TARGETS:
        return False
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    return bool(objects) and not any(o.ent_type_ in ("DATE", "TIME") for o in objects)


def is_proform(tokens: Sequence[Token], proforms: Container[str]) -> bool:
    words = [t for t in tokens if not t.is_punct and t.lower_ not in ("the", "as")]
    return bool(words) and words[0].lower_ in proforms


def noun_content(noun: Token) -> list[Token]:
    """ "his claim that the vote was rigged": the that-clause of a cue noun."""
    clauses = [c for c in noun.children if c.dep_ in ("acl", "ccomp") and any(t.dep_ == "mark" for t in c.children)]
    return subtrees(clauses)


#: Dashes setting off the writer's words after a report (a spaced hyphen stands for one in plain text).
_DASHES = ("-", "--", "—", "–")

#: Words opening an adverbial clause of contrast after a comma.
_CONTRASTS = frozenset({"while", "whereas", "although", "though", "even"})


def _aside_start(tok: Token, cues: Container[str]) -> int | None:
    """Where a trailing aside rooted at tok starts (its comma), or None when tok is not one.

    Asides are the writer's, not the speaker's: ", which ..." and ", the ..." glosses, and a second
    report (", arguing that ...").
    """
    doc = tok.doc
    start = tok.left_edge.i
    # ", which ...": the parser calls it a relative or an adverbial clause.
    # ", which ..." stays with the speaker's words (gold keeps it more often than not) unless it
    # holds a report of its own (", which critics said ...").
    relative = tok.dep_ in ("relcl", "advcl") and (
        # ", where organizers fell short ..." says what happened at the place the speaker named; ", where he
        # has a home" is the writer's aside on a person of the story (a pronoun subject), as is a report.
        (doc[start].lower_ == "where" and (holds_report(tok, cues) or _pronoun_subject(tok)))
        # ", who ..." after a name glosses it, in the writer's words; after a common noun ("his mother,
        # who died ...") it goes on with what the speaker said, unless it reports words of its own.
        or (doc[start].lower_ in ("who", "whose") and (tok.head.pos_ in ("PROPN", "PRON") or holds_report(tok, cues)))
        or (doc[start].lower_ == "which" and (holds_report(tok, cues) or tok.head.pos_ == "PROPN"))
        # ", for whom he was to host a dinner": a relative after its preposition, about a name.
        or (_pied_piped(doc, start) and tok.head.pos_ == "PROPN")
    )
    report = _trailing_participle(tok) and tok.lemma_.lower() in cues
    # ", putting them ahead of ...", ", sparking fears ...": the writer's account of the consequences.
    consequence = _trailing_participle(tok) and tok.lemma_.lower() in lexicons.words("consequences.txt")
    if (report or consequence) and start >= 2 and doc[start - 1].is_quote and doc[start - 2].text == ",":
        # `... was "incognito," sparking ...`: the comma is inside the closing quotation mark.
        return start
    if _medium_after_quotation(tok) or _next_act_after_quotation(tok):
        return start
    # ", while pointing to ...", ", even though critics called it ...": a contrast the writer sets beside
    # the report; one with a subject of its own and no cue (", while imports fell") is a second fact reported.
    contrast = tok.dep_ == "advcl" and doc[start].lower_ in _CONTRASTS
    contrast = contrast and (_mentions_cue(tok, cues) or not has_subject(tok))
    # ", as have other senators", ", as was the case last week": "as" and a finite verb with no subject
    # before it is the writer setting others or past events beside the report, not the speaker's words.
    likewise = tok.dep_ == "advcl" and doc[start].lower_ == "as" and tok.i == start + 1
    likewise = likewise and tok.tag_ in ("VBD", "VBZ", "VBP", "MD")
    # ", a swipe at ...", ", the highest for any candidate": a noun phrase the writer sets after the clause.
    gloss = tok.dep_ == "npadvmod" and tok.pos_ == "NOUN" and doc[start].dep_ == "det" and doc[start].head == tok
    gloss = gloss and start > 0 and doc[start - 1].text == ","  # after a dash it often specifies a noun
    # ", a play on the phrase ...", "NATO, the military alliance ...": an indefinite apposition, or one that
    # glosses a name, is the writer's; one that names or narrows a common noun ("the reporter, Jane Doe",
    # "his achievement, the health law", ", particularly refugees"), or a number, is what the speaker meant.
    indefinite = doc[start].lower_ in ("a", "an", "another", "something")
    appos = tok.dep_ == "appos" and (indefinite or tok.head.pos_ == "PROPN")
    # ", a charge the party denied", ", a request not always honored": an indefinite noun of saying after the
    # report is the writer's label for it, whatever the parser hung it on.
    label = tok.pos_ == "NOUN" and tok.dep_ != "conj" and tok.lemma_.lower() in cues
    label = label and doc[start].lower_ in ("a", "an") and doc[start].head == tok
    label = label and start > 0 and doc[start - 1].text in (",", *_DASHES)
    # ", according to the Times": the source of the writer's account of the report, not its words.
    source = tok.lower_ == "according" and tok.dep_ in ("prep", "advcl") and start == tok.i
    if label and doc[start - 1].text in _DASHES:
        return start - 1  # `likened the rules to "a farce" - a charge the party denied`
    if relative or report or consequence or contrast or likewise or gloss or appos or source or label:
        comma = start - 1
    elif _same_speaker_report(tok, cues):
        # "said the plan would fail and warned against ...": the speaker's next act, not their words.
        cc = start - 1
        if cc < 0 or doc[cc].dep_ != "cc":
            return None
        return cc - 1 if cc > 0 and doc[cc - 1].text == "," else cc
    elif _another_report(tok, cues):
        # "A, and most voters said B": the second report is a quote of its own.
        comma = start - 1
        if comma >= 0 and doc[comma].dep_ == "cc":
            return comma - 1 if comma > 0 and doc[comma - 1].text == "," else comma
        return None
    else:
        return None
    if comma >= 1 and doc[comma].is_quote and doc[comma - 1].text == ",":
        return start  # `... "out of business," while ...`: the comma inside the closing mark; keep the mark
    return comma if comma >= 0 and doc[comma].text in (",", ";", "—", "--") else None


def _narration_after_quotation(ordered: Sequence[Token]) -> int | None:
    """Where the writer's narration starts after content that opens with a quotation closing on a comma
    inside its mark, or None: `"It's time to go," and shared a link`, `"...," presumably meaning ...`,
    `"...," who proceeded to ...`, `"...," a website linked to ...`. The quotation is all the speaker
    said; a clause with a subject of its own (`"...," and donations began to pick up`) or a phrase that
    goes on with the quoted sentence is not cut."""
    doc = ordered[0].doc
    # The opening mark: the content's first token, or right before it (the parser hung it on the cue).
    first = ordered[0] if ordered[0].is_quote or ordered[0].i == 0 else doc[ordered[0].i - 1]
    closing = next((t for t in doc[first.i + 1 : ordered[-1].i + 1] if t.is_quote), None)
    if not first.is_quote or first.whitespace_ or closing is None or closing.i + 2 >= len(doc):
        return None
    if doc[closing.i - 1].text != ",":
        return None
    opener = doc[closing.i + 1]
    if opener.dep_ == "cc":
        opener = doc[opener.i + 1]
    tok = opener
    while tok.head.i != tok.i and tok.head.left_edge.i == opener.i:
        tok = tok.head
    last_word = next(t.i for t in reversed(ordered) if not t.is_punct or t.is_quote)
    if tok.left_edge.i != opener.i or tok.right_edge.i < last_word:
        return None
    narration = (
        _trailing_participle(tok)
        # `"...," which drew cheers`: the parser reads a relative on the whole quotation as any clause.
        or (tok.dep_ in ("relcl", "advcl", "ccomp") and opener.lower_ in ("who", "which"))
        or (tok.dep_ == "advcl" and opener.lower_ == "when")  # `"We'll see," when asked whether ...`
        or (tok.pos_ == "NOUN" and opener.lower_ in ("a", "an") and opener.head.i == tok.i)
        or (tok.dep_ == "conj" and tok.tag_ in ("VBD", "VBZ") and not has_subject(tok))
    )
    return closing.i + 1 if narration else None


#: The most tokens a comparison's comma follows the figure it measures by ("$1.78 a share, well above").
_FIGURE_TOKENS = 6
#: The longest phrase in comparisons.txt, in words.
_COMPARISON_WORDS = 3


def _comparison_after_figure(ordered: Sequence[Token]) -> int | None:
    """Where a comparison the writer set after a figure starts (its comma), or None: `reported a profit
    of $1.78 a share, well above the $1.11 that analysts expected` (data/comparisons.txt)."""
    comparisons = lexicons.phrases("comparisons.txt")
    doc = ordered[0].doc
    for comma in ordered[1:]:
        if comma.text != "," or comma.i + 1 >= len(doc):
            continue
        start = comma.i + 1
        if doc[start].pos_ == "ADV" and doc[start].lower_ not in ("above", "below"):
            start += 1  # "well above", "far below"
        words = tuple(t.lower_ for t in doc[start : start + _COMPARISON_WORDS])
        if words[:2] == ("above", "all") or not any(words[:n] in comparisons for n in range(1, len(words) + 1)):
            continue
        if any(t.like_num for t in doc[max(comma.i - _FIGURE_TOKENS, 0) : comma.i]):
            return comma.i
    return None


#: Pronouns of the third person that a clause's subject may be: a person the story is about.
_PERSONAL_PRONOUNS = frozenset({"he", "she", "they"})


def _pronoun_subject(clause: Token) -> bool:
    return any(c.dep_ in SUBJECTS and c.lower_ in _PERSONAL_PRONOUNS for c in clause.children)


def _next_quotation(ordered: Sequence[Token], cues: Container[str]) -> int | None:
    """Where a participle of saying introducing a quotation of its own starts (its comma), or None:
    `said the plan was "a mess," adding, "We will fight it."`, whatever the parser hung it on."""
    doc = ordered[0].doc
    for tok in ordered[1:]:
        if tok.tag_ != "VBG" or tok.lemma_.lower() not in cues or tok.i + 2 >= len(doc):
            continue
        comma = tok.i - 2 if doc[tok.i - 1].is_quote and doc[tok.i - 2].text == "," else tok.i - 1
        if doc[comma].text != "," or doc[tok.i + 1].text not in (",", ":") or not doc[tok.i + 2].is_quote:
            continue
        return tok.i if comma + 1 < tok.i else comma  # `... "a mess," adding`: keep the closing mark
    return None


def _pied_piped(doc: Doc, start: int) -> bool:
    """A relative clause opening with a preposition and its pronoun (", with whom ...", ", in which ...")."""
    return doc[start].pos_ == "ADP" and start + 1 < len(doc) and doc[start + 1].lower_ in ("whom", "which")


def _next_act_after_quotation(tok: Token) -> bool:
    """`groused that the network "doesn't treat me properly" before floating the idea ...`: what the speaker
    did before or after the quoted words, told by the writer right after the closing mark."""
    doc = tok.doc
    start = tok.left_edge.i
    if tok.dep_ != "prep" or tok.lower_ not in ("before", "after") or start != tok.i or start < 1:
        return False
    closing = doc[start - 1].is_quote and bool(doc[start - 1].whitespace_)
    return closing and any(c.dep_ == "pcomp" and c.tag_ == "VBG" for c in tok.children)


def _medium_after_quotation(tok: Token) -> bool:
    """`called the plan "a disgrace" in a statement`: where the quoted words were said, after them."""
    doc = tok.doc
    start = tok.left_edge.i
    if tok.dep_ != "prep" or tok.lower_ not in ("in", "during", "via", "on") or start != tok.i or start < 1:
        return False
    closing = doc[start - 1].is_quote and bool(doc[start - 1].whitespace_)
    media = lexicons.words("media.txt")
    return closing and any(c.dep_ == "pobj" and c.lemma_.lower() in media for c in tok.children)


def _on_condition_of_anonymity(tok: Token) -> bool:
    """ "on (the) condition of anonymity": the terms on which the words were said, not part of them."""
    if tok.dep_ != "prep" or tok.lower_ != "on":
        return False
    conditions = [c for c in tok.children if c.dep_ == "pobj" and c.lemma_.lower() == "condition"]
    of = [p for c in conditions for p in c.children if p.dep_ == "prep" and p.lower_ == "of"]
    return any(o.lemma_.lower() == "anonymity" for p in of for o in p.children if o.dep_ == "pobj")


#: The most words a "when" after a medium phrase takes ("on Monday night", "Tuesday").
_TIME_TOKENS = 6


def _only_time_between(tok: Token, last: int) -> bool:
    """Whether the words after tok's phrase up to last only say when ("Tuesday", "on Monday night")."""
    if last - tok.right_edge.i > _TIME_TOKENS:
        return False  # bounded, so that a long content is not rescanned for every such phrase
    after = tok.doc[tok.right_edge.i + 1 : last + 1]
    return all(t.ent_type_ in ("DATE", "TIME") or t.is_punct or (t.dep_ == "prep" and t.lower_ == "on") for t in after)


def _mentions_cue(tok: Token, cues: Container[str]) -> bool:
    """A cue verb anywhere in the clause ("... by saying that ..."): it reports someone's words."""
    return any(t.lemma_.lower() in cues and is_verb(t) for t in tok.subtree)


def _trailing_participle(tok: Token) -> bool:
    """ ", adding ...", ", sparking ...": a participial clause (without a subject of its own) after the report."""
    before = [c for c in tok.children if c.i < tok.i]
    return tok.dep_ in ("advcl", "xcomp") and tok.tag_ == "VBG" and all(c.dep_ == "advmod" for c in before)


def _another_report(tok: Token, cues: Container[str]) -> bool:
    """A coordinated clause that is a report with its own speaker ("... and officials said ...")."""
    if tok.dep_ != "conj" or not is_verb(tok):
        return False
    if any(c.dep_ == "mark" for c in tok.children):
        return False  # "said A and that the panel would continue ...": a second complement, not a report
    return tok.lemma_.lower() in cues and any(c.dep_ in SUBJECTS for c in tok.children)


def _same_speaker_report(tok: Token, cues: Container[str]) -> bool:
    """A cue coordinated into the content that is the speaker's next act ("... and warned ..."), or what
    the speaker withheld ("... but would not elaborate", "... but declined to comment")."""
    if _withheld(tok) or _finite_after_infinitive(tok, cues):
        return True
    if tok.lemma_.lower() not in cues:
        return False
    if _act_hung_on_complement(tok):
        return True
    if coordinated_with_report(tok):
        # "says he spoke to her and asked ...": a past tense after a present cue goes on with the reported
        # past; the speaker's next act would share the cue's tense.
        # (One that reports a clause of its own is a second report all the same.)
        reported_past = tok.head.head.tag_ in ("VBZ", "VBP") and tok.tag_ == tok.head.tag_ == "VBD"
        return not reported_past or any(c.dep_ == "ccomp" for c in tok.children)
    # "saying A and questioning how ...", "said he would A but did not suggest ...": a participle like its
    # cue after a clause that is not progressive, a past "did" after a modal, cannot continue the reported
    # clause the parser coordinated it with; it is the cue's sibling.
    head = tok.head
    if tok.dep_ != "conj" or head.dep_ != "ccomp" or has_subject(tok):
        return False
    if tok.tag_ == "VBG":
        return head.tag_ != "VBG" and head.head.tag_ == "VBG"
    did = any(c.dep_ == "aux" and c.lower_ == "did" for c in tok.children)
    return tok.tag_ == "VB" and did and any(c.dep_ == "aux" and c.tag_ == "MD" for c in head.children)


#: Finite tags a verb or its auxiliary carries ("celebrated", "has issued"), never an infinitive's.
_FINITE_PAST_OR_THIRD = frozenset({"VBD", "VBZ"})


def _finite_after_infinitive(tok: Token, cues: Container[str]) -> bool:
    """`vowed to keep the clinic open and celebrated the ruling`: a finite verb without a subject cannot
    share the "to" of the cue's infinitive the parser coordinated it with; it is the speaker's next act."""
    if tok.dep_ != "conj" or has_subject(tok) or tok.i < tok.head.i:
        return False
    own = [tok, *(c for c in tok.children if c.dep_ in ("aux", "auxpass"))]
    if not any(t.tag_ in _FINITE_PAST_OR_THIRD for t in own):
        return False
    infinitive = tok.head
    if infinitive.dep_ != "xcomp" or infinitive.head.lemma_.lower() not in cues:
        return False
    return infinitive.tag_ == "VB" and any(c.dep_ == "aux" and c.tag_ == "TO" for c in infinitive.children)


def _act_hung_on_complement(tok: Token) -> bool:
    """`called it "shameful" and called on leaders ...`: a finite verb without a subject that the parser
    coordinated with the object's complement (an adjective or a noun) is the speaker's next act."""
    if tok.dep_ != "conj" or tok.tag_ not in ("VBD", "VBZ") or has_subject(tok):
        return False
    return tok.head.pos_ in ("ADJ", "NOUN", "PROPN") and tok.head.dep_ in ("oprd", "dobj", "attr", "acomp")


def drop_asides(tokens: Sequence[Token], cues: Container[str] = frozenset()) -> list[Token]:
    """Reported content without trailing asides."""
    ordered = sorted(tokens, key=lambda t: t.i)
    if not ordered:
        return ordered
    present = {t.i for t in ordered}
    last = ordered[-1].i
    cuts = [_narration_after_quotation(ordered), _comparison_after_figure(ordered), _next_quotation(ordered, cues)]
    cuts = [c for c in cuts if c is not None]
    cut = min(cuts, default=None)
    for tok in ordered:
        if tok.i == ordered[0].i:
            continue
        if _on_condition_of_anonymity(tok):
            # "... on condition of anonymity because they were not authorized to speak": how the words
            # were given, and everything after it is why.
            comma = tok.i - 1 if tok.i > 0 and tok.doc[tok.i - 1].text == "," else tok.i
        elif tok.right_edge.i < last:
            # `"rigged" in a tweet Tuesday`: the medium may be followed by when it was said.
            if not (_medium_after_quotation(tok) and _only_time_between(tok, last)):
                continue
            comma = tok.left_edge.i
        else:
            comma = _aside_start(tok, cues)
        if comma is not None and comma in present and comma > ordered[0].i and (cut is None or comma < cut):
            cut = comma
    return [t for t in ordered if t.i < cut] if cut is not None else ordered


#: Words opening a concession fronted before the reported clause ("Though he trails, he ...").
_CONCESSIONS = frozenset({"though", "although", "despite", "notwithstanding"})


def drop_fronted_concession(tokens: Sequence[Token], cue: Token | None = None) -> list[Token]:
    """Reported content without a concession the writer fronted before it: "Though he has no path to the
    nomination, Kasich polls best against Clinton, the survey found" reports only what follows the comma.
    After its cue ("says despite being an alumna, she will root for Iowa") it opens the speaker's clause."""
    ordered = sorted(tokens, key=lambda t: t.i)
    if len(ordered) < 2:
        return ordered
    first = ordered[0]
    if cue is not None and cue.i < first.i:
        return ordered
    opener = first.lower_ in _CONCESSIONS or (first.lower_ == "even" and ordered[1].lower_ == "though")
    if not opener:
        return ordered
    heads = (t for t in (first, *first.ancestors) if t.left_edge.i == first.i and t.dep_ in ("advcl", "prep"))
    phrase = next(heads, None)
    if phrase is None:
        return ordered
    comma = phrase.right_edge.i + 1
    rest = [t for t in ordered if t.i > comma]
    # `Though the vote was easy, she said, ...`: a cue right after it makes the concession the speaker's.
    if comma >= len(first.doc) or first.doc[comma].text != "," or not rest or rest[0].i != comma + 1:
        return ordered
    return rest


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def main_fragments(fragments: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """The fragments a quote's one span should cover: all of them, unless the narration between them
    outweighs them (`"A," said Jane Doe, a lawyer who ... for years. "B."`); then only the largest,
    which alone carries more of the speaker's words than the whole span does."""
    if len(fragments) < 2:
        return fragments
    spoken = sum(_alnum(text[s:e]) for s, e in fragments)
    whole = _alnum(text[fragments[0][0] : fragments[-1][1]])
    largest = max(fragments, key=lambda f: _alnum(text[f[0] : f[1]]))
    if spoken * spoken >= _alnum(text[largest[0] : largest[1]]) * whole:
        return fragments
    return [largest]


def runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Contiguous runs of tokens: a clause interrupted by its cue comes in two pieces."""
    out: list[list[Token]] = []
    for tok in sorted(tokens, key=lambda t: t.i):
        if out and tok.i == out[-1][-1].i + 1:
            out[-1].append(tok)
        else:
            out.append([tok])
    return out


def trim(tokens: Sequence[Token]) -> tuple[int, int] | None:
    """Character span of tokens without punctuation (other than quote marks) or spaces at the edges."""
    toks = [t for t in tokens if not t.is_space]
    while toks and toks[0].is_punct and not toks[0].is_quote:
        toks = toks[1:]
    while toks and toks[-1].is_punct and not toks[-1].is_quote:
        toks = toks[:-1]
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)
