"""Cue frames added for issue 12: complements the parser split, infinitives of commitment, prepositional
and object reports. Sentences written for these tests, in the styles of wire, British and Canadian copy."""

from __future__ import annotations

import pytest
from spacy.language import Language

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
    ],
)
def test_prepositional_and_object_reports(nlp: Language, text: str, content: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


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
    ],
)
def test_a_three_word_clause_is_a_report(nlp: Language, text: str, content: str, speaker: str) -> None:
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
    ],
)
def test_a_cue_nouns_that_clause(nlp: Language, text: str, content: str, cue: str, speaker: str) -> None:
    assert found(nlp, text) == [("indirect", [content], cue, [speaker])]


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
            "Most voters said they prefer an outsider, while about four in 10 want a candidate with experience.",
            "they prefer an outsider",
            "Most voters",
        ),
        (
            "The minister said the plan would work, even though the opposition has called it reckless.",
            "the plan would work",
            "The minister",
        ),
    ],
)
def test_a_contrast_the_writer_sets_beside_the_report_is_cut(
    nlp: Language, text: str, content: str, speaker: str
) -> None:
    assert found(nlp, text) == [("indirect", [content], "said", [speaker])]


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
    assert found(nlp, text) == [("mixed", ['to "send a message" to the banks'], "urges", ["The senator"])]


def test_a_publication_someone_cited_is_not_theirs(nlp: Language) -> None:
    text = "The mayor cited a report that says the bridge needs repairs."
    assert found(nlp, text) == [("indirect", ["the bridge needs repairs"], "says", ["that"])]


def test_a_participle_closing_a_report_is_the_reporters(nlp: Language) -> None:
    text = "Packer said the increased focus on the premier is taking a toll, pointing to the losses in Calgary."
    assert found(nlp, text) == [
        ("indirect", ["the increased focus on the premier is taking a toll"], "said", ["Packer"]),
        ("indirect", ["the losses in Calgary"], "pointing", ["Packer"]),
    ]


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
