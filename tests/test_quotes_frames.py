"""Cue frames added for issue 12: complements the parser split, infinitives of commitment, prepositional
and object reports. Sentences written for these tests, in the styles of wire, British and Canadian copy."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from streams.nlp.quotes import quotations
from tests.support import found


def test_a_complement_the_parser_split_in_two_is_one_report(nlp: Language) -> None:
    text = "The minister said the refugees admitted by Canada last year were in most cases already settled in Ontario."
    assert found(nlp, text) == [
        (
            "indirect",
            ["the refugees admitted by Canada last year were in most cases already settled in Ontario"],
            "said",
            ["The minister"],
        )
    ]


def test_the_object_before_a_subjectless_complement_is_its_subject(nlp: Language) -> None:
    text = "She said his constant talk of the old mill in defending the budget doesn't help the town."
    assert found(nlp, text) == [
        (
            "indirect",
            ["his constant talk of the old mill in defending the budget doesn't help the town"],
            "said",
            ["She"],
        )
    ]


def test_a_clause_before_a_subjectless_complement_is_its_subject(nlp: Language) -> None:
    text = "The judge said just because the damage was not visible did not mean it was not real."
    assert [q[1] for q in found(nlp, text)] == [
        ["just because the damage was not visible did not mean it was not real"]
    ]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The coach told reporters after the game his team had been unlucky.",
            "his team had been unlucky",
            "told",
            "The coach",
        ),
        (
            "The endorsement comes three days after Smith told The Globe he was not ready to back the leader.",
            "he was not ready to back the leader",
            "told",
            "Smith",
        ),
        (
            "The attack sparked a debate, with Senator Jane Doe telling reporters on Thursday she viewed the "
            "minister as responsible.",
            "she viewed the minister as responsible",
            "telling",
            "Senator Jane Doe",
        ),
    ],
)
def test_a_clause_after_the_addressee_and_circumstances_the_parser_hung_elsewhere(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_an_adverbial_noun_before_a_subjectless_complement_is_its_subject(nlp: Language) -> None:
    text = "Jones said the days when the region had a thriving mill are gone."
    assert found(nlp, text) == [
        ("indirect", ["the days when the region had a thriving mill are gone"], "said", ["Jones"])
    ]


def test_a_that_clause_deep_in_the_circumstances_of_the_cue(nlp: Language) -> None:
    text = "The mayor said in one of a series of posts on Facebook that the bridge would reopen on Friday."
    assert found(nlp, text) == [("indirect", ["that the bridge would reopen on Friday"], "said", ["The mayor"])]


def test_a_headline_run_into_the_sentence_is_not_its_speaker(nlp: Language) -> None:
    text = (
        "Headline Writers Meet\nAsked about the levy, Premier Jane Doe said she knows the cost falls hardest on farms."
    )
    assert found(nlp, text) == [
        ("indirect", ["she knows the cost falls hardest on farms"], "said", ["Premier Jane Doe"])
    ]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The premier vowed to scrap the carbon levy before the next provincial budget.",
            "to scrap the carbon levy before the next provincial budget",
            "vowed",
            "The premier",
        ),
        (
            "Union leaders pledged to keep the picket lines up through the holidays.",
            "to keep the picket lines up through the holidays",
            "pledged",
            "Union leaders",
        ),
        (
            "The manager promised to field a stronger side against Rangers on Saturday.",
            "to field a stronger side against Rangers on Saturday",
            "promised",
            "The manager",
        ),
        (  # an infinitive of assertion: what the speaker claims of themselves
            "The group claims to represent more than 40,000 farm workers across the province.",
            "to represent more than 40,000 farm workers across the province",
            "claims",
            "The group",
        ),
    ],
)
def test_an_infinitive_of_commitment_is_the_report(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "Critics pointed to the rising cost of rent in Vancouver and Toronto.",
            "the rising cost of rent in Vancouver and Toronto",
            "pointed",
            "Critics",
        ),
        (
            "Economists warned of a sharp slowdown in the housing market next spring.",
            "a sharp slowdown in the housing market next spring",
            "warned",
            "Economists",
        ),
        (
            "The chancellor acknowledged the limits of what the Treasury can do about inflation.",
            "the limits of what the Treasury can do about inflation",
            "acknowledged",
            "The chancellor",
        ),
        (
            "Forecasters predict three more rate rises before the end of next year.",
            "three more rate rises before the end of next year",
            "predict",
            "Forecasters",
        ),
        (
            "In a statement, the club described a dressing room that had stopped believing in the system.",
            "a dressing room that had stopped believing in the system",
            "described",
            "the club",
        ),
        (
            "In an interview on Monday, the premier pointed to Ottawa as the main obstacle to a deal.",
            "Ottawa as the main obstacle to a deal",
            "pointed",
            "the premier",
        ),
        (
            "Organizers estimated a crowd of more than 20,000 people.",
            "a crowd of more than 20,000 people",
            "estimated",
            "Organizers",
        ),
        (
            "The premier reminded voters of the province's record on health care.",
            "the province's record on health care",
            "reminded",
            "The premier",
        ),
        (
            "The premier tweeted a photo of the flooded highway near Fredericton.",
            "a photo of the flooded highway near Fredericton",
            "tweeted",
            "The premier",
        ),
        (
            "Several residents have described how the river rose within minutes and flooded their basements.",
            "how the river rose within minutes and flooded their basements",
            "described",
            "Several residents",
        ),
        (
            "The premier has not commented on the auditor's report into the hospital's finances.",
            "the auditor's report into the hospital's finances",
            "commented",
            "The premier",
        ),
        (
            "The union noted the province's failure to hire more nurses since the last contract.",
            "the province's failure to hire more nurses since the last contract",
            "noted",
            "The union",
        ),
    ],
)
def test_prepositional_and_object_reports(nlp: Language, text: str, content: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (  # a second that-clause the parser hung on the cue
            "On Friday, the premier told the audience at his fundraiser for veterans that he and the union had "
            "several talks Friday but that nothing could change his mind.",
            "that he and the union had several talks Friday but that nothing could change his mind",
            "told",
            "the premier",
        ),
        (  # a verb under a backshifted modal, without a subject, hung on the cue
            "The councillor said she hoped to get her seat back, and then would continue to fight the tower - but "
            "with more allies.",
            "she hoped to get her seat back, and then would continue to fight the tower - but with more allies",
            "said",
            "The councillor",
        ),
        (
            "Mr. Smith said ending the subsidy before other sources of money could be found, and without knowing "
            "who will win the election, could gut programs.",
            "ending the subsidy before other sources of money could be found, and without knowing who will win the "
            "election, could gut programs",
            "said",
            "Mr. Smith",
        ),
        (  # an infinitive completing the object's last noun, hung on the cue
            "The senator praised the efforts of Foreign Minister Jane Doe to find a peaceful end to the strike.",
            "the efforts of Foreign Minister Jane Doe to find a peaceful end to the strike",
            "praised",
            "The senator",
        ),
        (
            "The minister decried the opposition's repeated calls to ban all foreign buyers from the housing market.",
            "the opposition's repeated calls to ban all foreign buyers from the housing market",
            "decried",
            "The minister",
        ),
        (  # a list of infinitives the parser broke after its first item
            "The mayor vowed to repair the bridge, widen the highway and build a new arena.",
            "to repair the bridge, widen the highway and build a new arena",
            "vowed",
            "The mayor",
        ),
        (
            "The senator pledged to enact bail reform, fix the province's ferry system and end the war on drugs.",
            "to enact bail reform, fix the province's ferry system and end the war on drugs",
            "pledged",
            "The senator",
        ),
        (  # what the speaker withheld is no part of the report
            "The minister said talks were continuing, but would not elaborate.",
            "talks were continuing",
            "said",
            "The minister",
        ),
    ],
)
def test_what_the_parser_hung_on_the_cue_after_the_content_goes_on_with_it(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The spokesman said the company was reviewing the report but declined to comment further.",
            "the company was reviewing the report",
        ),
        (
            "The minister said talks with the union were continuing, but would not elaborate on the offer.",
            "talks with the union were continuing",
        ),
        (
            "Officials said the fire was under control but refused to speculate on its cause.",
            "the fire was under control",
        ),
        # what the speaker would not do is part of the report
        (
            "She said she supported the plan but would not vote for it in its current form.",
            "she supported the plan but would not vote for it in its current form",
        ),
    ],
)
def test_what_the_speaker_withheld_after_the_report_is_the_writers(nlp: Language, text: str, content: str) -> None:
    assert [q[1] for q in found(nlp, text)] == [[content]]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The senator vowed to keep the clinics open and celebrated the court ruling on Tuesday.",
            "to keep the clinics open",
        ),
        (
            "The mayor urged the council to approve the budget and thanked the volunteers for their work.",
            "the council to approve the budget",
        ),
    ],
)
def test_a_finite_verb_after_the_cues_infinitive_is_the_speakers_next_act(
    nlp: Language, text: str, content: str
) -> None:
    assert [q[1] for q in found(nlp, text)][:1] == [[content]]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "Forbes estimated her fortune at about $4 billion from her stake in the grocery chain.",
            "her fortune at about $4 billion from her stake in the grocery chain",
        ),
        # when and in what medium the words were said are not part of the object
        (
            "The minister condemned the attack on the mosque during a visit to Quebec City.",
            "the attack on the mosque",
        ),
        (
            "The senator denounced the premier's handling of the file in a statement.",
            "the premier's handling of the file",
        ),
    ],
)
def test_a_phrase_the_parser_hung_on_the_cue_after_its_object_goes_on_with_it(
    nlp: Language, text: str, content: str
) -> None:
    assert [q[1] for q in found(nlp, text)] == [[content]]


def test_described_as_keeps_what_it_was_called(nlp: Language) -> None:
    text = "The opposition leader described the deal as a betrayal of coastal communities."
    assert found(nlp, text) == [
        ("indirect", ["the deal as a betrayal of coastal communities"], "described", ["The opposition leader"])
    ]


def test_a_short_object_of_a_new_object_cue_is_no_report(nlp: Language) -> None:
    assert found(nlp, "The captain acknowledged the crowd.") == []
    assert found(nlp, "Fans pointed to the sky.") == []


# ---------------------------------------------------------------------------------------------------
# Marks typed the wrong way, short clauses, more verbs of saying


def test_an_opening_mark_typed_where_the_closing_one_belongs(nlp: Language) -> None:
    text = "“It's a hard thing to pull off,“ said Larry Noble, a lawyer in Ottawa."
    assert [text[q.start : q.end] for q in quotations(text)] == ["“It's a hard thing to pull off,“"]
    assert found(nlp, text) == [
        ("direct", ["“It's a hard thing to pull off,“"], "said", ["Larry Noble, a lawyer in Ottawa"])
    ]


def test_a_year_cut_to_two_digits_opens_no_quotation(nlp: Language) -> None:
    text = "Rep. Jane Doe said in ‘08 that the early polls meant little. ‘Not now,’ she added."
    assert [text[q.start : q.end] for q in quotations(text)] == ["‘Not now,’"]
    assert found(nlp, text)[0] == ("indirect", ["that the early polls meant little"], "said", ["Rep. Jane Doe"])


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        ("Late on Tuesday, the RCMP said it would cooperate.", "it would cooperate", "the RCMP"),
        ("Half of the voters said they were angry.", "they were angry", "Half"),
        ("Few expected the mayor to run again. Her aides said she would.", "she would", "Her aides"),
    ],
)
def test_a_short_clause_is_a_report(nlp: Language, text: str, content: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], "said", [speaker])]


def test_three_words_without_a_clause_are_no_report(nlp: Language) -> None:
    assert found(nlp, "The coach said no one.") == []


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The premier reminded reporters that the deficit had shrunk for three straight years.",
            "that the deficit had shrunk for three straight years",
            "reminded",
            "The premier",
        ),
        (
            "The minister assured farmers that the border would stay open through the harvest.",
            "that the border would stay open through the harvest",
            "assured",
            "The minister",
        ),
    ],
)
def test_verbs_of_reminding_and_assuring(nlp: Language, text: str, content: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_a_quotation_in_the_clause_of_a_cue_verbs_object(nlp: Language) -> None:
    text = (
        'During the hearing, Gowdy referenced a report that "less than one percent of the emails" were ever reviewed.'
    )
    assert found(nlp, text) == [
        ("mixed", ['a report that "less than one percent of the emails" were ever reviewed'], "referenced", ["Gowdy"])
    ]


def test_a_that_clause_hung_on_the_addressee(nlp: Language) -> None:
    text = "In Honolulu last week, he told a meeting of island leaders that few people understood the stakes."
    assert found(nlp, text) == [("indirect", ["that few people understood the stakes"], "told", ["he"])]


def test_a_participle_after_a_quotation_and_its_cue_is_the_writers(nlp: Language) -> None:
    text = '"Too much hate," she said, blaming some of it on the candidate.'
    assert found(nlp, text) == [("direct", ['"Too much hate,"'], "said", ["she"])]


def test_a_participle_after_an_interrupting_cue_goes_on_with_the_report(nlp: Language) -> None:
    text = "Russia is playing interference, he said, imposing new import restrictions on its neighbours."
    assert found(nlp, text) == [
        (
            "indirect",
            ["Russia is playing interference", "imposing new import restrictions on its neighbours"],
            "said",
            ["he"],
        )
    ]


# ---------------------------------------------------------------------------------------------------
# Relative clauses and quotations under verbs outside the lexicon


@pytest.mark.parametrize(
    ("text", "pronoun", "complement", "cue", "speaker"),
    [
        (
            "Officials are focused on the drawdown of troops, which they say left a vacuum for militants.",
            "which",
            "left a vacuum for militants",
            "say",
            "they",
        ),
        (
            "Wilcox backed common standards, which he argued help students who move often.",
            "which",
            "help students who move often",
            "argued",
            "he",
        ),
        (
            "He praised the new rules, which he argued help protect renters who move often.",
            "which",
            "help protect renters who move often",
            "argued",
            "he",
        ),
        # No pronoun: the noun the clause describes is the report's subject.
        (
            "The files include emails the department now says are classified.",
            "emails",
            "are classified",
            "says",
            "the department",
        ),
    ],
)
def test_a_cue_inside_a_relative_clause_reports_the_pronoun_and_complement(
    nlp: Language, text: str, pronoun: str, complement: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [pronoun, complement], cue, [speaker])]


def test_a_quotation_in_the_shape_of_speech_under_any_verb_of_a_named_speaker(nlp: Language) -> None:
    text = 'In his speech, Obama embraced the protesters\' "demand for a fair shot at a decent job."'
    assert found(nlp, text) == [
        ("mixed", ['the protesters\' "demand for a fair shot at a decent job."'], "embraced", ["Obama"])
    ]


def test_titles_and_quotations_under_a_nameless_subject_are_no_report(nlp: Language) -> None:
    assert found(nlp, 'She watched "The Apprentice" every week.') == []
    assert found(nlp, 'The committee adopted a motion that "the council will not change course no matter what."') == []


# ---------------------------------------------------------------------------------------------------
# A quotation going on with the report before it


@pytest.mark.parametrize(
    ("text", "fragments", "speaker"),
    [
        (
            'Carter said the pivot to Asia would go on for decades. "This region remains the most consequential."',
            ["the pivot to Asia would go on for decades", '"This region remains the most consequential."'],
            "Carter",
        ),
        (
            'The coach said his players had run out of ideas in the second half. "We were flat. We have to be better."',
            ["his players had run out of ideas in the second half", '"We were flat. We have to be better."'],
            "The coach",
        ),
    ],
)
def test_a_quotation_opening_the_next_sentence_goes_on_with_the_report(
    nlp: Language, text: str, fragments: list[str], speaker: str
) -> None:
    assert found(nlp, text) == [("mixed", fragments, "said", [speaker])]


def test_narration_between_a_report_and_a_quotation_parts_them(nlp: Language) -> None:
    text = 'The mayor said the bridge would reopen in May. Crews began work on Monday. "It will be a long summer."'
    assert found(nlp, text) == [("indirect", ["the bridge would reopen in May"], "said", ["The mayor"])]


def test_a_quotation_paragraph_after_a_report_floats_on_its_own(nlp: Language) -> None:
    # Never over the paragraph break: the quotation paragraph is a quote of its own, with no cue.
    text = 'The coach said his players had run out of ideas.\n\n"We were flat."'
    assert found(nlp, text) == [
        ("indirect", ["his players had run out of ideas"], "said", ["The coach"]),
        ("direct", ['"We were flat."'], None, ["The coach"]),
    ]


# ---------------------------------------------------------------------------------------------------
# A clause and a colon introducing a quotation; manners of speaking


def test_a_clause_closing_on_a_colon_introduces_its_subjects_words(nlp: Language) -> None:
    text = 'Kasich resisted: "Ohio governors do not have the power to suspend constitutional rights."'
    assert found(nlp, text) == [
        ("direct", ['"Ohio governors do not have the power to suspend constitutional rights."'], "resisted", ["Kasich"])
    ]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            'The mayor has since apologized for what happened: "Yes, I should have called the families that night."',
            '"Yes, I should have called the families that night."',
            "apologized",
            "The mayor",
        ),
        (
            'Later that day the senator issued the following statement:\n\n"We mourn a great public servant. '
            'She gave her life to this city."',
            '"We mourn a great public servant. She gave her life to this city."',
            "issued",
            "the senator",
        ),
    ],
)
def test_the_clause_before_a_colon_the_parser_split_off_or_closing_the_paragraph_introduces_the_quotation(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("direct", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "lines", "cue", "speaker"),
    [
        (
            "In a speech in Regina last June, the premier said:\n\nLet no one doubt it: the levy is a burden on "
            "every farm.\nIt cannot be ignored, and it must go.\n\nThe opposition disagreed.",
            ["Let no one doubt it: the levy is a burden on every farm.", "It cannot be ignored, and it must go."],
            "said",
            "the premier",
        ),
        (
            "The Globe reports:\n\nAt least four ministers were told of the deal before it was signed.",
            ["At least four ministers were told of the deal before it was signed."],
            "reports",
            "The Globe",
        ),
    ],
)
def test_a_cue_closing_its_line_on_a_colon_reports_the_unquoted_block_after_it(
    nlp: Language, text: str, lines: list[str], cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", lines, cue, [speaker])]


@pytest.mark.parametrize(
    "text",
    [
        'The coach saw the loss differently: "We played our best hockey of the year," he said.',
        'The union ran a full-page ad in the Herald on Monday: "Our nurses deserve better," the ad says.',
    ],
)
def test_a_closing_cue_reports_the_quotation_not_the_writers_clause_before_its_colon(nlp: Language, text: str) -> None:
    quote = text[text.index(": ") + 2 : text.rindex(",") + 2]
    assert [q[1] for q in found(nlp, text)] == [[quote]]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            'The council met late.\n\nSaid Councillor Mary Chen: "This budget leaves the east end behind."',
            '"This budget leaves the east end behind."',
            "Said",
            "Councillor Mary Chen",
        ),
        (
            'The minister spoke for an hour.\n\nStated Dumont:\n\n"We will table the bill in the spring."',
            '"We will table the bill in the spring."',
            "Stated",
            "Dumont",
        ),
    ],
)
def test_an_inverted_cue_and_a_name_before_a_colon_introduce_the_quotation(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("direct", [content], cue, [speaker])]


def test_markup_after_a_cue_and_a_colon_is_no_block_of_words(nlp: Language) -> None:
    assert found(nlp, 'One fan tweeted:\n\n<tweet author="@fan">What a save by the goalie.</tweet>') == []


@pytest.mark.parametrize(
    "text",
    [
        'The result does not surprise pollster Daron Shaw: "Lesser-known candidates often get the biggest boost."',
        'Here is what we know: "The plant will close in March and 400 jobs will go."',
    ],
)
def test_a_colon_after_a_clause_without_a_person_for_subject_introduces_no_quote(nlp: Language, text: str) -> None:
    assert found(nlp, text) == []


def test_a_manner_of_speaking_is_a_cue(nlp: Language) -> None:
    text = '"Get back to your seat," the referee barked at the Leafs bench.'
    assert found(nlp, text) == [("direct", ['"Get back to your seat,"'], "barked", ["the referee"])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            '"We will not give up this riding," an angry Jean Tremblay retaliated.',
            '"We will not give up this riding,"',
            "retaliated",
            "an angry Jean Tremblay",
        ),
        (
            '"If he wants the job, the premier should come to the flooded towns," the editorial read.',
            '"If he wants the job, the premier should come to the flooded towns,"',
            "read",
            "the editorial",
        ),
        (
            '"The mayor wants to play the tough guy tonight," Doe shot back.',
            '"The mayor wants to play the tough guy tonight,"',
            "shot",
            "Doe",
        ),
        (
            '"This is the best day of my life!" beamed Mary Hartley of Dayton, Ohio.',
            '"This is the best day of my life!"',
            "beamed",
            "Mary Hartley",
        ),
        (
            '"The council has ignored the flooding for a decade," the two write.',
            '"The council has ignored the flooding for a decade,"',
            "write",
            "the two",
        ),
    ],
)
def test_any_verb_with_its_subject_right_after_a_quotation_shaped_as_speech_is_its_cue(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("direct", [content], cue, [speaker])]


def test_a_title_with_a_clause_of_its_own_after_it_is_no_speech(nlp: Language) -> None:
    assert found(nlp, '"The Apprentice," the show Trump hosted for years, returns in May.') == []


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The premier's promise that no rural hospital would close was met with applause in Sudbury.",
            "that no rural hospital would close",
            "promise",
            "The premier's",
        ),
        (
            "Ottawa issued a warning that travellers should avoid the region until further notice.",
            "that travellers should avoid the region until further notice",
            "warning",
            "Ottawa",
        ),
        (
            "The coach made the point that his defence had conceded only twice at home all season.",
            "that his defence had conceded only twice at home all season",
            "point",
            "The coach",
        ),
        (
            "The ministry pushed back against claims by opposition critics that the figures were inflated.",
            "that the figures were inflated",
            "claims",
            "opposition critics",
        ),
        (
            "The league rejected allegations from the players union that referees were biased.",
            "that referees were biased",
            "allegations",
            "the players union",
        ),
    ],
)
def test_a_cue_nouns_that_clause(nlp: Language, text: str, content: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            "Trump predicts that as rivals drop out, many of their supporters will switch to him.",
            "that as rivals drop out, many of their supporters will switch to him",
            "predicts",
        ),
        ("Trump claims he is worth $10 billion.", "he is worth $10 billion", "claims"),
    ],
)
def test_a_present_tense_cue_read_as_a_plural_noun_after_a_name(
    nlp: Language, text: str, content: str, cue: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, ["Trump"])]


def test_a_cue_noun_without_a_that_clause_reports_nothing(nlp: Language) -> None:
    assert found(nlp, "There is a threat of rain on Saturday.") == []


# ---------------------------------------------------------------------------------------------------
# What an "according to" phrase closing its sentence attributes; second complements


def test_according_to_after_a_list_attributes_the_whole_sentence(nlp: Language) -> None:
    text = (
        "The fund grew by 8 per cent, the schools would close and the pool would stay open, according to the council."
    )
    assert found(nlp, text) == [
        (
            "indirect",
            ["The fund grew by 8 per cent, the schools would close and the pool would stay open"],
            "according",
            ["the council"],
        )
    ]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The Liberals lead by nine points, according to a new poll, but their margin is narrowing.",
            ["The Liberals lead by nine points"],
        ),
        (
            "The Liberals lead by nine points, according to a new poll - the widest gap since June.",
            ["The Liberals lead by nine points"],
        ),
        (
            "Sales rose 4 per cent in May, according to the agency, and exports climbed for a third month.",
            ["Sales rose 4 per cent in May", "and exports climbed for a third month"],
        ),
    ],
)
def test_according_to_after_its_clause_ends_the_report_unless_and_adds_a_fact(
    nlp: Language, text: str, content: list[str]
) -> None:
    assert [q[1] for q in found(nlp, text)] == [content]


def test_a_second_report_cut_after_and_takes_its_conjunction(nlp: Language) -> None:
    text = "Most voters said they were satisfied with the government and about half said they would vote for it again."
    assert [q[1] for q in found(nlp, text)] == [
        ["they were satisfied with the government"],
        ["they would vote for it again"],
    ]


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "Now the RCMP is looking into whether the minister was guilty of fraud while premier of the province, "
            "according to three police sources who spoke to CBC News but were not authorized to speak on the record.",
            "Now the RCMP is looking into whether the minister was guilty of fraud while premier of the province",
            "three police sources",
        ),
        (
            "Mr. Singh is believed to have been on the bus, "
            "according to an interview his sister Anita Singh gave to CTV.",
            "Mr. Singh is believed to have been on the bus",
            "an interview",
        ),
    ],
)
def test_according_to_hung_on_a_clause_describing_its_source_still_closes_the_report(
    nlp: Language, text: str, content: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], "according", [speaker])]


def test_according_to_inside_a_clause_that_goes_on_keeps_both_parts(nlp: Language) -> None:
    text = "At the heart of the dispute, according to the union, was a plan to cut night shifts."
    assert found(nlp, text) == [
        ("indirect", ["At the heart of the dispute", "was a plan to cut night shifts"], "according", ["the union"])
    ]


def test_a_second_that_clause_after_but_is_part_of_the_report(nlp: Language) -> None:
    text = "Bush said the country needs to secure the border, but that he would not support mass deportation."
    assert found(nlp, text) == [
        (
            "indirect",
            ["the country needs to secure the border, but that he would not support mass deportation"],
            "said",
            ["Bush"],
        )
    ]


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "The mayor said the plan was a success, while pointing to the new bridge.",
            "the plan was a success",
            "The mayor",
        ),
        (
            "The minister said the plan would work, even though the opposition has called it reckless.",
            "the plan would work",
            "The minister",
        ),
        # "as" and a finite verb with no subject before it: others or past events set beside the report
        (
            "The senator said she wants an independent inquiry, as have several of her colleagues in the caucus.",
            "she wants an independent inquiry",
            "The senator",
        ),
        (
            "The premier said he would not hold news conferences, as was the case with last week's announcement.",
            "he would not hold news conferences",
            "The premier",
        ),
    ],
)
def test_a_contrast_the_writer_sets_beside_the_report_is_cut(
    nlp: Language, text: str, content: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], "said", [speaker])]


def test_a_contrast_of_two_facts_in_the_report_is_kept(nlp: Language) -> None:
    # A contrast with a subject of its own and no report in it sets one reported fact beside another.
    text = "The agency said exports rose 4 percent in March, while imports fell by 2 percent."
    assert found(nlp, text) == [
        ("indirect", ["exports rose 4 percent in March, while imports fell by 2 percent"], "said", ["The agency"])
    ]


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        (
            "The senator spoke, saying the deal was a mistake and questioning whether the minister had read it.",
            ("the deal was a mistake", "saying"),
            ("whether the minister had read it", "questioning"),
        ),
        (
            "The premier said he would attend the summit but did not say who would lead the delegation.",
            ("he would attend the summit", "said"),
            ("who would lead the delegation", "say"),
        ),
    ],
)
def test_a_cue_the_parser_coordinated_into_the_report_is_a_report_of_its_own(
    nlp: Language, text: str, first: tuple[str, str], second: tuple[str, str]
) -> None:
    assert [(q[1], q[2]) for q in found(nlp, text)] == [([first[0]], first[1]), ([second[0]], second[1])]


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        # A bare present verb that agrees with the cue's plural subject, not the clause's singular one.
        (
            "Local union leaders believe the mayor has broken his promise and warn that the strike could last"
            " all winter.",
            "warn",
            "Local union leaders",
        ),
        # A verb coordinated deep in the report, past the predicate that holds its clause.
        (
            "The mayor said the ruling was indicative that the court did not understand what was at stake, and"
            " accused the province of meddling in city affairs.",
            "accused",
            "The mayor",
        ),
    ],
)
def test_a_verb_coordinated_into_the_report_takes_the_cues_subject(
    nlp: Language, text: str, cue: str, speaker: str
) -> None:
    assert [q[3] for q in found(nlp, text) if q[2] == cue] == [[speaker]]


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        # The passive subject of the verb an active cue is coordinated with speaks, not its agent.
        (
            "Local officials were angered by the ruling and predicted it would hurt the harbour.",
            "predicted",
            "Local officials",
        ),
        (
            "The premier was pressed by reporters on the deficit, saying the budget would balance by 2027.",
            "saying",
            "The premier",
        ),
        # The people a cause leaves wondering, or to wonder, wonder; not the cause.
        ("The scandal has left many voters wondering what the premier really knew.", "wondering", "many voters"),
        ("The delays left residents to wonder whether the bridge would ever open.", "wonder", "residents"),
        # Leaving a place, the subject still speaks.
        ("The minister left the room saying the talks had failed.", "saying", "The minister"),
    ],
)
def test_who_speaks_in_a_cue_after_a_passive_or_a_leave_verb(nlp: Language, text: str, cue: str, speaker: str) -> None:
    assert [q[3] for q in found(nlp, text) if q[2] == cue] == [[speaker]]


def test_a_past_act_after_a_present_cue_goes_on_with_the_report(nlp: Language) -> None:
    text = "The mayor says he spoke to the premier and asked him to condemn the violence."
    assert [q[1] for q in found(nlp, text)] == [["he spoke to the premier and asked him to condemn the violence"]]


def test_a_concession_fronted_before_the_report_is_the_writers(nlp: Language) -> None:
    text = "Though the Liberals trail in most polls, the party leads among voters under 30, the survey found."
    assert [q[1] for q in found(nlp, text)] == [["the party leads among voters under 30"]]


def test_a_concession_after_the_cue_opens_the_speakers_clause(nlp: Language) -> None:
    text = "The mayor, a Toronto native, says despite growing up a Leafs fan, she will cheer for Montreal in the final."
    assert [q[1] for q in found(nlp, text)] == [
        ["despite growing up a Leafs fan, she will cheer for Montreal in the final"]
    ]


def test_an_inverted_cue_between_subject_and_verb_of_its_report(nlp: Language) -> None:
    text = (
        "Part of the trouble with the bridge, say engineers like Paul Smith, a Calgary consultant, is the soil itself."
    )
    assert found(nlp, text) == [
        ("indirect", ["Part of the trouble with the bridge", "is the soil itself"], "say", ["engineers"])
    ]
    text = "And the premier, said Jones, who remains close to her, never forgets a slight."
    assert found(nlp, text) == [("indirect", ["the premier", "never forgets a slight"], "said", ["Jones"])]


def test_clauses_the_parser_hung_on_a_closing_cue_are_one_report(nlp: Language) -> None:
    text = "The amount of debt most students carry is manageable -- but then there are the outliers, she said."
    assert found(nlp, text) == [
        (
            "indirect",
            ["The amount of debt most students carry is manageable -- but then there are the outliers"],
            "said",
            ["she"],
        )
    ]


def test_a_subject_the_parser_ran_into_the_according_to_source_is_the_reports(nlp: Language) -> None:
    text = (
        "According to early results of exit polls conducted for the broadcasters by a research firm, majorities "
        "of voters in all three provinces say they feel betrayed."
    )
    assert [q[1] for q in found(nlp, text)] == [["majorities of voters in all three provinces say they feel betrayed"]]


def test_a_things_promise_is_no_commitment(nlp: Language) -> None:
    assert found(nlp, "The debate promised to be a crucial moment for the campaign.") == []


# ---------------------------------------------------------------------------------------------------
# A cue closing its sentence, however the parser hung it


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "The Internet has also made it possible for people with like-minded, if bogus, ideas and theories "
            "to organize into communities and reach others, she said.",
            "The Internet has also made it possible for people with like-minded, if bogus, ideas and theories "
            "to organize into communities and reach others",
            "she",
        ),
        (
            'Those who do take on heavy debt struggle, even with a "good" job, he said.',
            'Those who do take on heavy debt struggle, even with a "good" job',
            "he",
        ),
    ],
)
def test_a_cue_closing_its_sentence_without_a_complement(nlp: Language, text: str, content: str, speaker: str) -> None:
    kind = "mixed" if '"' in content else "indirect"
    assert found(nlp, text) == [(kind, [content], "said", [speaker])]


def test_a_cue_closing_a_sentence_without_a_clause_reports_nothing(nlp: Language) -> None:
    assert found(nlp, "In Washington, he said.") == []


def test_a_which_clause_about_a_name_is_the_writers_background(nlp: Language) -> None:
    text = "The senator said she would campaign for Ms. Smith in Manitoba, which votes next month."
    assert found(nlp, text) == [("indirect", ["she would campaign for Ms. Smith in Manitoba"], "said", ["The senator"])]


def test_a_relative_clause_after_its_preposition_about_a_name_is_the_writers_background(nlp: Language) -> None:
    text = "The senator said he is partial to Jane Doe, for whom he will host a fundraiser in Calgary on Thursday."
    assert found(nlp, text) == [("indirect", ["he is partial to Jane Doe"], "said", ["The senator"])]
    text = "The union said the talks had stalled over the pension plan, for which members have waited years."
    assert found(nlp, text) == [
        (
            "indirect",
            ["the talks had stalled over the pension plan, for which members have waited years"],
            "said",
            ["The union"],
        )
    ]


def test_a_which_clause_about_a_common_noun_stays_with_the_report(nlp: Language) -> None:
    text = "The minister said the cuts would hit the budget, which had already been trimmed twice."
    assert found(nlp, text) == [
        ("indirect", ["the cuts would hit the budget, which had already been trimmed twice"], "said", ["The minister"])
    ]


def test_finding_oneself_somewhere_is_no_finding(nlp: Language) -> None:
    assert found(nlp, "The network found itself playing host to the candidates night after night.") == []
    text = "The study found that wait times in Nova Scotia had doubled since 2010."
    assert found(nlp, text) == [
        ("indirect", ["that wait times in Nova Scotia had doubled since 2010"], "found", ["The study"])
    ]


def test_according_to_after_a_with_phrase_attributes_the_whole_sentence(nlp: Language) -> None:
    text = (
        "The casinos won slightly less in October, with revenue dipping 1.3 per cent, "
        "according to the province's gaming regulator."
    )
    assert found(nlp, text) == [
        (
            "indirect",
            ["The casinos won slightly less in October, with revenue dipping 1.3 per cent"],
            "according",
            ["the province's gaming regulator"],
        )
    ]


def test_a_named_holders_belief_is_a_report(nlp: Language) -> None:
    text = "The Leafs coach thinks his team can still make the playoffs after a poor start."
    assert found(nlp, text) == [
        ("indirect", ["his team can still make the playoffs after a poor start"], "thinks", ["The Leafs coach"])
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I think the council has lost its way on housing.",  # the columnist's own view
        "Do you think the premier will call an early election?",  # the reader's
        "Think of the levy as a tax on the commute.",  # no holder at all
    ],
)
def test_the_writers_or_readers_belief_is_no_report(nlp: Language, text: str) -> None:
    assert found(nlp, text) == []


def test_the_subject_of_a_clause_the_parser_hung_before_a_subjectless_cue_speaks(nlp: Language) -> None:
    text = "The mayor briefly thanked the crews at the scene, then says the city will pay for the repairs."
    assert found(nlp, text) == [("indirect", ["the city will pay for the repairs"], "says", ["The mayor"])]


def test_the_noun_phrase_after_a_subjectless_cue_closing_its_report_speaks(nlp: Language) -> None:
    text = (
        "He also had a voice in the choice of contractors, said a former adviser to the Ontario Ministry of "
        "Transport, Jane Roy, who also ran as a candidate in the party Mr. Ford helped build."
    )
    (quote,) = found(nlp, text)
    assert quote[:3] == ("indirect", ["He also had a voice in the choice of contractors"], "said")
    assert quote[3][0].startswith("a former adviser to the Ontario Ministry of Transport, Jane Roy")


def test_the_noun_of_a_with_phrase_speaks_its_participle(nlp: Language) -> None:
    text = (
        "Voters still see the premier as far better prepared for the job - with 60 percent saying she is ready, "
        "compared with 25 percent for her rival."
    )
    assert found(nlp, text) == [("indirect", ["she is ready"], "saying", ["60 percent"])]


def test_a_subject_the_parser_made_the_cues_object_keeps_its_predicate(nlp: Language) -> None:
    from streams.nlp.quotes.content import content_tokens

    # "claims Kovalenko runs ...", parsed with the name as the cue's object and "runs" as its conjunct.
    words = ["The", "ministry", "claims", "Kovalenko", "runs", "the", "ring", "."]
    heads = [1, 2, 2, 2, 2, 6, 4, 2]
    deps = ["det", "nsubj", "ROOT", "dobj", "conj", "det", "dobj", "punct"]
    tags = ["DT", "NN", "VBZ", "NNP", "VBZ", "DT", "NN", "."]
    pos = ["DET", "NOUN", "VERB", "PROPN", "VERB", "DET", "NOUN", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, tags=tags, pos=pos)
    assert [t.text for t in content_tokens(doc[2], frozenset({"clause"}))] == ["Kovalenko", "runs", "the", "ring"]


def _parsed(nlp: Language, rows: list[tuple[str, int, str, str, str]]) -> Doc:
    """A Doc with the parse given row by row: word, head, dependency, tag, part of speech."""
    words, heads, deps, tags, pos = (list(column) for column in zip(*rows, strict=True))
    return Doc(nlp.vocab, words=words, heads=heads, deps=deps, tags=tags, pos=pos)


def test_a_that_clause_after_the_cue_is_its_report_before_a_nearer_clause_across_it(nlp: Language) -> None:
    from streams.nlp.quotes.content import content_tokens

    # `Elect me, Roy told reporters on Sunday that Ford listens.`, the slogan parsed as a complement too.
    doc = _parsed(
        nlp,
        [
            ("Elect", 4, "ccomp", "VB", "VERB"),
            ("me", 0, "dobj", "PRP", "PRON"),
            (",", 4, "punct", ",", "PUNCT"),
            ("Roy", 4, "nsubj", "NNP", "PROPN"),
            ("told", 4, "ROOT", "VBD", "VERB"),
            ("reporters", 4, "dobj", "NNS", "NOUN"),
            ("on", 4, "prep", "IN", "ADP"),
            ("Sunday", 6, "pobj", "NNP", "PROPN"),
            ("that", 10, "mark", "IN", "SCONJ"),
            ("Ford", 10, "nsubj", "NNP", "PROPN"),
            ("listens", 4, "ccomp", "VBZ", "VERB"),
            (".", 4, "punct", ".", "PUNCT"),
        ],
    )
    assert [t.text for t in content_tokens(doc[4], frozenset({"clause"}))] == ["that", "Ford", "listens"]


def test_an_adverbial_clause_before_the_cue_is_not_its_report(nlp: Language) -> None:
    from streams.nlp.quotes.content import content_tokens

    # `While others blame the rain, she says in her report the ground froze.`
    doc = _parsed(
        nlp,
        [
            ("While", 2, "mark", "IN", "SCONJ"),
            ("others", 2, "nsubj", "NNS", "NOUN"),
            ("blame", 7, "ccomp", "VBP", "VERB"),
            ("the", 4, "det", "DT", "DET"),
            ("rain", 2, "dobj", "NN", "NOUN"),
            (",", 7, "punct", ",", "PUNCT"),
            ("she", 7, "nsubj", "PRP", "PRON"),
            ("says", 7, "ROOT", "VBZ", "VERB"),
            ("in", 7, "prep", "IN", "ADP"),
            ("her", 10, "poss", "PRP$", "PRON"),
            ("report", 8, "pobj", "NN", "NOUN"),
            ("the", 12, "det", "DT", "DET"),
            ("ground", 13, "nsubj", "NN", "NOUN"),
            ("froze", 7, "ccomp", "VBD", "VERB"),
            (".", 7, "punct", ".", "PUNCT"),
        ],
    )
    assert [t.text for t in content_tokens(doc[7], frozenset({"clause"}))] == ["the", "ground", "froze"]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        ("The merger was first reported by the Winnipeg Free Press.", ["The merger"], "reported", "the Winnipeg"),
        (
            "The mayor has been criticized by residents for closing the library on Sundays.",
            ["The mayor", "for closing the library on Sundays"],
            "criticized",
            "residents",
        ),
    ],
)
def test_the_passive_subject_of_a_cue_with_an_agent_is_what_the_agent_reported(
    nlp: Language, text: str, content: list[str], cue: str, speaker: str
) -> None:
    (quote,) = found(nlp, text)
    assert quote[:3] == ("indirect", content, cue)
    assert quote[3][0].startswith(speaker)


def test_a_tag_name_of_markup_left_in_the_text_is_no_cue(nlp: Language) -> None:
    text = (
        "The mayor posted her reply online.\n"
        '<tweet pic="" author="MayorJaneRoy" timestamp="1449075600">Our hearts are with the families tonight.</tweet>'
    )
    assert found(nlp, text) == []


def test_a_past_tense_read_as_a_participle_of_the_subject_is_still_the_cue(nlp: Language) -> None:
    (quote,) = found(nlp, "Dufresne, a Legault ally, called Quebec’s new standards “strong.”")
    assert quote[2:] == ("called", ["Dufresne, a Legault ally"])
    assert quote[1][0].startswith("Quebec’s new standards")


def test_a_capitalized_word_after_an_inverted_cue_is_its_speaker_whatever_its_tag(nlp: Language) -> None:
    from streams.nlp.quotes import extract_quotes

    # `“We won,” said Skelly.`, the rare surname tagged as an adverb.
    rows = [
        ("“", 2, "punct", "``", "PUNCT", "“"),
        ("We", 2, "nsubj", "PRP", "PRON", "we"),
        ("won", 5, "ccomp", "VBD", "VERB", "win"),
        (",", 2, "punct", ",", "PUNCT", ","),
        ("”", 5, "punct", "''", "PUNCT", "”"),
        ("said", 5, "ROOT", "VBD", "VERB", "say"),
        ("Skelly", 5, "advmod", "RB", "ADV", "skelly"),
        (".", 5, "punct", ".", "PUNCT", "."),
    ]
    words, heads, deps, tags, pos, lemmas = (list(column) for column in zip(*rows, strict=True))
    spaces = [False, True, False, False, True, True, False, False]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps, tags=tags, pos=pos, lemmas=lemmas)
    (quote,) = extract_quotes(doc)
    assert [m.text for m in quote.speaker_mentions] == ["Skelly"]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The city released a statement saying the pool would stay closed until June.",
            "the pool would stay closed until June",
            "saying",
            "The city",
        ),
        (
            "There is growing evidence suggesting that rents in Halifax have doubled since 2015.",
            "that rents in Halifax have doubled since 2015",
            "suggesting",
            "growing evidence",
        ),
    ],
)
def test_a_participle_of_a_noun_is_said_by_who_issued_it_or_by_the_noun(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_a_quantifier_read_as_an_adjective_of_an_interrupting_cue_speaks(nlp: Language) -> None:
    text = "That plan, many argue, could raise rents across the city."
    assert found(nlp, text) == [("indirect", ["That plan", "could raise rents across the city"], "argue", ["many"])]


def test_according_to_hung_on_a_verb_of_its_sources_clause_still_closes_the_report(nlp: Language) -> None:
    text = (
        "Police are searching for the driver, according to two officers who spoke to reporters but were not "
        "authorized to speak publicly."
    )
    assert found(nlp, text) == [("indirect", ["Police are searching for the driver"], "according", ["two officers"])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "Even the timing of the debate led Republicans to say that Democrats were protecting their candidate.",
            "that Democrats were protecting their candidate",
            "say",
            "Republicans",
        ),
        ("The vote prompted the mayor to warn that taxes would rise.", "that taxes would rise", "warn", "the mayor"),
    ],
)
def test_the_object_of_a_verb_like_lead_or_prompt_speaks_its_infinitive(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The coach informed the board that he would step down after the season.",
            "that he would step down after the season",
            "informed",
            "The coach",
        ),
        (
            "The mayor groused that the province never returns her calls.",
            "that the province never returns her calls",
            "groused",
            "The mayor",
        ),
        (
            "The minister did not dispute that the ferry contract ran over budget.",
            "that the ferry contract ran over budget",
            "dispute",
            "The minister",
        ),
    ],
)
def test_informing_grousing_and_disputing_are_reports(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_a_publication_someone_released_speaks_for_them(nlp: Language) -> None:
    text = 'The senator released a new ad that urges voters to "send a message" to the banks.'
    assert found(nlp, text) == [("mixed", ['voters to "send a message" to the banks'], "urges", ["The senator"])]


def test_a_publication_someone_cited_is_not_theirs(nlp: Language) -> None:
    text = "The mayor cited a report that says the bridge needs repairs."
    assert found(nlp, text) == [("indirect", ["the bridge needs repairs"], "says", ["that"])]


def test_a_participle_closing_a_report_is_the_reporters(nlp: Language) -> None:
    text = "Packer said the increased focus on the premier is taking a toll, pointing to the losses in Calgary."
    assert found(nlp, text) == [
        ("indirect", ["the increased focus on the premier is taking a toll"], "said", ["Packer"]),
        ("indirect", ["the losses in Calgary"], "pointing", ["Packer"]),
    ]


def test_a_participle_after_a_comma_inside_the_closing_mark_is_the_reporters(nlp: Language) -> None:
    text = (
        'Senator Jane Doe stressed that "the way forward is to get both parties working together," suggesting '
        "that the only option left might be a simple renewal of the act."
    )
    assert found(nlp, text)[1] == (
        "indirect",
        ["that the only option left might be a simple renewal of the act"],
        "suggesting",
        ["Senator Jane Doe"],
    )


def test_a_participle_in_a_compound_preposition_is_the_clauses_subjects(nlp: Language) -> None:
    text = "In addition to stating that the tax would hurt farmers, the premier has vowed to repeal it."
    assert found(nlp, text)[0] == ("indirect", ["that the tax would hurt farmers"], "stating", ["the premier"])
    text = "The premier refuses to discuss possible appointees, aside from saying he wants a diverse cabinet."
    assert found(nlp, text) == [("indirect", ["he wants a diverse cabinet"], "saying", ["The premier"])]


def test_a_gerund_after_the_object_or_complement_of_a_verb_is_its_subjects(nlp: Language) -> None:
    text = "The union took the rare step of criticizing the premier's handling of the contract talks."
    assert found(nlp, text) == [
        ("indirect", ["the premier's handling of the contract talks"], "criticizing", ["The union"])
    ]
    text = "The mayor has been the most vocal on council in denouncing the new transit fares for seniors."
    assert found(nlp, text) == [("indirect", ["the new transit fares for seniors"], "denouncing", ["The mayor"])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The minister was forced to admit that the figures had been wrong.",
            "that the figures had been wrong",
            "admit",
            "The minister",
        ),
        (
            "The coach was seen telling his players that the season was over.",
            "that the season was over",
            "telling",
            "The coach",
        ),
    ],
)
def test_the_passive_subject_speaks_the_cue_its_verb_controls(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_a_subject_the_parser_found_on_the_line_before_gives_way_to_the_cues_own_line(nlp: Language) -> None:
    text = (
        "Smith turned to arguing that the border must be secured to keep traffickers from crossing into the U.S.\n"
        "Jane Doe added that she would approve the plan without help from Ottawa."
    )
    assert found(nlp, text)[1] == (
        "indirect",
        ["that she would approve the plan without help from Ottawa"],
        "added",
        ["Jane Doe"],
    )


def test_a_subject_the_parser_hung_on_an_auxiliary_speaks(nlp: Language) -> None:
    # A dropped "be" ("would able to") leaves "she" on the auxiliary.
    text = "If the bill passed, she would able to claim she had kept every promise."
    assert found(nlp, text) == [("indirect", ["she had kept every promise"], "claim", ["she"])]


def test_a_document_speaks_for_the_author_its_by_phrase_names(nlp: Language) -> None:
    text = "Turnout hit a record this year, according to an analysis by the Pew Research Center."
    assert found(nlp, text) == [
        ("indirect", ["Turnout hit a record this year"], "according", ["the Pew Research Center"])
    ]


def test_a_speaker_set_off_by_an_aside_the_parser_made_their_verb(nlp: Language) -> None:
    text = 'Smith, exasperated, famously responded: "What difference does it make to the people of this city?"'
    assert found(nlp, text) == [
        ("direct", ['"What difference does it make to the people of this city?"'], "responded", ["Smith"])
    ]


def test_a_phrasal_cue_listed_with_its_particle(nlp: Language) -> None:
    text = '"We will not be bullied," the mayor shot back.'
    assert found(nlp, text) == [("direct", ['"We will not be bullied,"'], "shot", ["the mayor"])]


@pytest.mark.parametrize(
    ("text", "quotation", "cue", "speaker"),
    [
        ('"We need a new arena," the councillor chimed in.', '"We need a new arena,"', "chimed", "the councillor"),
        (
            'The premier weighed in, "This deal is good for Alberta."',
            '"This deal is good for Alberta."',
            "weighed",
            "The premier",
        ),
    ],
)
def test_chiming_and_weighing_in_are_reports(nlp: Language, text: str, quotation: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("direct", [quotation], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (  # British copy
            "The Chelsea manager reckons his side can still finish in the top four.",
            "his side can still finish in the top four",
            "reckons",
            "The Chelsea manager",
        ),
        (
            "The ministry restated that no decision on the pipeline had been taken.",
            "that no decision on the pipeline had been taken",
            "restated",
            "The ministry",
        ),
    ],
)
def test_reckoning_and_restating_are_reports(nlp: Language, text: str, content: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_an_editors_note_paragraph_is_no_report(nlp: Language) -> None:
    text = (
        "The council voted to close the pool, the mayor said.\n\n"
        "Editor's note: The mayor is a former board member of the pool trust, which has pledged to fight the closure."
    )
    assert found(nlp, text) == [("indirect", ["The council voted to close the pool"], "said", ["the mayor"])]


@pytest.mark.parametrize(
    "text",
    [
        "That said, the budget may still pass the council before the summer break.",
        "All told, the province spent more than $40 million on the new ferry terminal.",
        "Ottawa will continue screening applicants from the three countries for another year.",
        "The board continued to hold its meetings behind closed doors despite the complaints.",
    ],
)
def test_fixed_phrases_and_verbs_of_aspect_report_nothing(nlp: Language, text: str) -> None:
    assert found(nlp, text) == []


def test_a_continuing_speaker_still_reports(nlp: Language) -> None:
    text = 'The chief said the pool would close. "We have no money left for repairs," she continued.'
    assert found(nlp, text)[-1] == ("direct", ['"We have no money left for repairs,"'], "continued", ["she"])


def test_a_report_the_writer_sources_with_according_to_is_that_sources_quote(nlp: Language) -> None:
    text = "The minister told reporters the ferry would be late, according to a transcript of the briefing."
    assert found(nlp, text) == [
        ("indirect", ["The minister told reporters the ferry would be late"], "according", ["a transcript"])
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The new levy encouraged drivers to leave their cars at home during the winter.", []),
        ("It could also encourage the premier to call an early election this fall.", []),
        (
            "The mayor encouraged drivers to leave their cars at home during the winter.",
            [("indirect", ["drivers to leave their cars at home during the winter"], "encouraged", ["The mayor"])],
        ),
    ],
)
def test_only_a_speaker_encourages(nlp: Language, text: str, expected: list) -> None:
    assert found(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The byelection revealed how deeply the party is divided over the pipeline.", []),
        (
            "The minister revealed that the new ferry would not sail before the spring.",
            [("indirect", ["that the new ferry would not sail before the spring"], "revealed", ["The minister"])],
        ),
    ],
)
def test_only_a_source_reveals(nlp: Language, text: str, expected: list) -> None:
    assert found(nlp, text) == expected


def test_an_aside_after_a_quotation_closing_on_a_comma_is_the_writers(nlp: Language) -> None:
    text = 'Doe said the levy was "going to put half the dairy farms out of business," while pitching her own plan.'
    assert found(nlp, text) == [
        ("mixed", ['the levy was "going to put half the dairy farms out of business,"'], "said", ["Doe"])
    ]


def test_the_noun_phrase_after_a_fronted_quotation_speaks_though_the_parser_hung_it_inside(nlp: Language) -> None:
    text = (
        '"We have had far livelier conventions than this one," Alberta delegate Bill Eastwood, wearing '
        'a cowboy hat and "Vote Doe" pins, said matter-of-factly.'
    )
    assert found(nlp, text) == [
        (
            "direct",
            ['"We have had far livelier conventions than this one,"'],
            "said",
            ["Alberta delegate Bill Eastwood"],
        )
    ]


def test_a_short_exclamation_before_any_verb_with_its_subject_is_speech(nlp: Language) -> None:
    assert found(nlp, '"Never!" the councillor shrieked.') == [("direct", ['"Never!"'], "shrieked", ["the councillor"])]


def test_a_short_title_before_a_verb_is_no_speech(nlp: Language) -> None:
    assert found(nlp, '"Thriller," Jackson released in 1982, still sells.') == []


def test_a_participles_object_keeps_the_predicate_the_parser_hung_on_the_main_clause(nlp: Language) -> None:
    text = (
        "The union welcomed the offer on Friday, saying the deal -- a raise of three per cent a year and two new "
        "holidays -- is fair to its members."
    )
    assert found(nlp, text) == [
        (
            "indirect",
            ["the deal -- a raise of three per cent a year and two new holidays -- is fair to its members"],
            "saying",
            ["The union"],
        )
    ]


def test_a_closing_tell_with_its_addressee_reports_the_clause_it_was_made_a_conjunct_of(nlp: Language) -> None:
    from streams.nlp.quotes.content import trailing_clause

    # "Taxes will rise, the minister told reporters.", parsed with "told" as a conjunct of "rise".
    words = ["Taxes", "will", "rise", ",", "the", "minister", "told", "reporters", "."]
    heads = [2, 2, 2, 2, 5, 6, 2, 6, 6]
    deps = ["nsubj", "aux", "ROOT", "punct", "det", "nsubj", "conj", "dobj", "punct"]
    tags = ["NNS", "MD", "VB", ",", "DT", "NN", "VBD", "NNS", "."]
    pos = ["NOUN", "AUX", "VERB", "PUNCT", "DET", "NOUN", "VERB", "NOUN", "PUNCT"]
    lemmas = ["tax", "will", "rise", ",", "the", "minister", "tell", "reporter", "."]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, tags=tags, pos=pos, lemmas=lemmas)
    assert [t.text for t in trailing_clause(doc[6], [doc[5]])] == ["Taxes", "will", "rise"]


def test_a_proform_the_parser_made_a_second_subject_after_the_cue_is_the_report(nlp: Language) -> None:
    text = "Last month, 26 percent said the same."
    assert found(nlp, text) == [("indirect", ["the same"], "said", ["26 percent"])]


@pytest.mark.parametrize(
    ("text", "report", "cue", "speaker"),
    [
        # The clause read as adverbial to the cue.
        (
            "The minister has worked hard to calm local fears, reassuring her counterpart Jean Roy that Ottawa "
            "has no plans to close the base.",
            "that Ottawa has no plans to close the base",
            "reassuring",
            "The minister",
        ),
        # "that" read as a preposition, the clause hung deep inside its phrase.
        (
            '"It has been a long winter," she said, noting that at one point earlier in the season the town had '
            "run out of salt.",
            "that at one point earlier in the season the town had run out of salt",
            "noting",
            "she",
        ),
        # A focusing adverb before "that", the clause read as adverbial to the cue.
        (
            "The company gave no reason for the closure, saying in its statement only that it was reviewing some "
            "operations to better match the needs ahead.",
            "that it was reviewing some operations to better match the needs ahead",
            "saying",
            "The company",
        ),
    ],
)
def test_a_that_clause_the_parser_did_not_make_a_complement_is_the_report(
    nlp: Language, text: str, report: str, cue: str, speaker: str
) -> None:
    assert ("indirect", [report], cue, [speaker]) in found(nlp, text)


@pytest.mark.parametrize(
    ("text", "quotation", "speaker"),
    [
        # The parser makes the "as" clause the cue's complement ...
        (
            '"I won\'t resign," the mayor said as several councillors wearing green scarves jeered.',
            '"I won\'t resign,"',
            "the mayor",
        ),
        # ... or the rest of the clause the cue interrupts.
        (
            '"The club will carry on," Morrison said, as a few young players worked out inside the rink.',
            '"The club will carry on,"',
            "Morrison",
        ),
        (
            '"Follow me," the ranger said, and the hikers, curious, walked behind her to the lake.',
            '"Follow me,"',
            "the ranger",
        ),
    ],
)
def test_what_happened_as_the_quotation_was_said_is_not_said(
    nlp: Language, text: str, quotation: str, speaker: str
) -> None:
    assert found(nlp, text) == [("direct", [quotation], "said", [speaker])]


def test_an_as_clause_of_time_after_its_clause_is_no_aside_on_it(nlp: Language) -> None:
    assert found(nlp, "The premier smiled at the crowd as she replied.") == []
    assert found(nlp, "The councillor stood by the door as she explained.") == []
    # Set off by a comma, or fronted, the "as" clause says who said the clause it hangs on.
    assert found(nlp, "The bridge is unsafe, as the engineer noted.") == [
        ("indirect", ["The bridge is unsafe"], "noted", ["the engineer"])
    ]
    assert found(nlp, "As the report noted, the deficit doubled in two years.") == [
        ("indirect", ["the deficit doubled in two years"], "noted", ["the report"])
    ]


def test_a_title_in_the_speakers_phrase_is_not_what_the_cue_reports(nlp: Language) -> None:
    text = (
        'Lee, the co-author of "Going Viral," about the spread of rumours online, said the days of a common story'
        " were over."
    )
    assert [quote[:3] for quote in found(nlp, text)] == [("indirect", ["the days of a common story were over"], "said")]


def test_the_writers_hedge_ending_in_a_cue_is_no_report(nlp: Language) -> None:
    assert found(nlp, "It is too soon to say how deep the damage to the party might be.") == []
    assert found(nlp, "Given his remarks on the pipeline, it's safe to say he is talking about the carbon tax.") == []
    # Inside someone's report, the hedge is part of what they said.
    assert found(nlp, "The premier said it was too early to say whether the deal would hold.") == [
        ("indirect", ["it was too early to say whether the deal would hold"], "said", ["The premier"])
    ]


def test_a_second_cue_after_a_quoted_phrase_has_its_own_report(nlp: Language) -> None:
    text = (
        'Jones celebrated in Ohio with supporters, declaring it "a great night for the campaign" '
        "and said it was another step closer to winning."
    )
    assert found(nlp, text) == [
        ("mixed", ['it "a great night for the campaign"'], "declaring", ["Jones"]),
        ("indirect", ["it was another step closer to winning"], "said", ["Jones"]),
    ]
    # Not a cue: the quoted phrase's sentence goes on with the report.
    text = 'The union urged the council to "act now" and consider sanctions.'
    assert found(nlp, text)[0][1] == ['the council to "act now" and consider sanctions']


def test_a_next_act_hung_on_the_objects_complement_is_a_report_of_its_own(nlp: Language) -> None:
    text = 'He called it "shameful" and called on leaders "not to feed that dark impulse inside of us."'
    assert [(kind, content) for kind, content, _, _ in found(nlp, text)] == [
        ("mixed", ['it "shameful"']),
        ("mixed", ['leaders "not to feed that dark impulse inside of us."']),
    ]


def test_a_quotation_after_an_adding_clause_goes_on_with_what_was_added(nlp: Language) -> None:
    text = (
        '"We have work to do," the coach said, adding that the team had trained hard all week. '
        '"Nobody wins this league on talent alone."'
    )
    assert found(nlp, text) == [
        ("direct", ['"We have work to do,"'], "said", ["the coach"]),
        (
            "mixed",
            ["that the team had trained hard all week", '"Nobody wins this league on talent alone."'],
            "adding",
            ["the coach"],
        ),
    ]


def test_according_to_after_a_question_the_parser_split_off_reports_the_quotation_too(nlp: Language) -> None:
    text = (
        '"Is this a priority because it is an election year?" the senator asked at a news conference, '
        "according to the Ottawa Citizen."
    )
    reports = {cue: content for _, content, cue, _ in found(nlp, text)}
    assert reports["according"] == [
        '"Is this a priority because it is an election year?" the senator asked at a news conference'
    ]


def test_the_title_of_a_work_is_no_quote(nlp: Language) -> None:
    # After a possessive, after a noun of a work, or glossed by one: a title, whatever cue stands near.
    text = (
        "Speaking to CTV's \"Power and Politics,\" the minister's press secretary declined to comment. "
        'Her 2019 memoir, "The Long Way Home: A Life in Politics," sold well in Alberta.'
    )
    assert found(nlp, text) == []
    text = 'The publisher will release "Northern Lights Rising," a biography written by a former aide.'
    assert found(nlp, text) == []
    # Words in sentence case after a noun of a work are someone's words.
    text = 'The minister said in her memoir "we were never told the truth about the pipeline."'
    assert [q[2] for q in found(nlp, text)] == ["said"]


def test_deny_with_someone_it_is_denied_to_withholds_a_thing(nlp: Language) -> None:
    assert found(nlp, "The party's rules committee denied the challenger a vote on the floor.") == []
    assert found(nlp, "The bylaw would let clerks deny permits to street vendors.") == []
    # Denying a claim is a report.
    assert [q[:3] for q in found(nlp, "The mayor denied that the contract was rigged.")] == [
        ("indirect", ["that the contract was rigged"], "denied")
    ]


def test_confirm_with_a_role_as_object_approves_an_appointment(nlp: Language) -> None:
    assert found(nlp, "Senate Republicans are confirming judges at the slowest pace in decades.") == []
    assert found(nlp, "The committee voted to confirm the next two nominees on the list.") == []
    assert [q[:3] for q in found(nlp, "The ministry confirmed that two judges had resigned.")] == [
        ("indirect", ["that two judges had resigned"], "confirmed")
    ]


def test_more_fixed_hedges_of_the_writer_are_no_report(nlp: Language) -> None:
    assert found(nlp, "It goes without saying that the budget will not balance itself.") == []
    assert found(nlp, "By some measures one could say the recovery has already begun.") == []
    assert found(nlp, "Only time will tell whether the new coach can turn the season around.") == []


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "The minister said she had already met two of the men named in the report: John Smith, a former "
            "mayor, and Paul Jones.",
            "she had already met two of the men named in the report: John Smith, a former mayor, and Paul Jones",
            "said",
            "The minister",
        ),
        (
            "The chief mentioned the storm that caused the death of three residents: a teacher, a nurse and a "
            "retired firefighter.",
            "the storm that caused the death of three residents: a teacher, a nurse and a retired firefighter",
            "mentioned",
            "The chief",
        ),
    ],
)
def test_a_list_of_nouns_after_a_colon_spells_out_the_reports_last_noun(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "In his victory speech, the premier made no mention of the federal carbon tax.",
            "the federal carbon tax",
            "mention",
            "the premier",
        ),
        (
            "The mayor has recently made comments about the state of the city's water mains.",
            "the state of the city's water mains",
            "comments",
            "The mayor",
        ),
    ],
)
def test_a_cue_noun_a_light_verb_makes_its_object_reports_what_it_is_about(
    nlp: Language, text: str, content: str, cue: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


def test_a_show_made_of_something_reports_nothing(nlp: Language) -> None:
    assert found(nlp, "The senator made a show of opening three new campaign offices in the north.") == []


def test_a_quoted_gerund_of_what_the_speaker_blames_someone_for(nlp: Language) -> None:
    text = "The premier mocked the opposition leader for “running away from every hard question.”"
    assert found(nlp, text) == [
        ("mixed", ["the opposition leader for “running away from every hard question.”"], "mocked", ["The premier"])
    ]
