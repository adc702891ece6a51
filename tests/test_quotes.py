"""Quote extraction: quotation marks on the text, and each construction on short sentences written here."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from streams.nlp import lexicons
from streams.nlp.quotes import quotations
from streams.nlp.records import Quote


def marked(text: str) -> list[str]:
    return [text[q.start : q.end] for q in quotations(text)]


def quotes(nlp: Language, text: str) -> list[Quote]:
    return nlp(text)._.quotes


def pieces(text: str, quote: Quote) -> list[str]:
    """The text of each fragment (the speaker's words, without the reporting clause), checking that the
    quote's text is theirs joined with " … " and its span runs from the first to the last."""
    found = [text[f.start : f.end] for f in quote.fragments]
    assert quote.text == " … ".join(found)
    assert (quote.start, quote.end) == (quote.fragments[0].start, quote.fragments[-1].end)
    return found


def only(nlp: Language, text: str) -> Quote:
    found = quotes(nlp, text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


# ---------------------------------------------------------------------------------------------------
# Quotation marks


def test_every_double_quote_style() -> None:
    text = "He said \"yes\", then “no”, then «oui» and ``maybe'' and ''never.''"
    assert marked(text) == ['"yes"', "“no”", "«oui»", "``maybe''", "''never.''"]


def test_single_quotes_nest_inside_double_ones() -> None:
    assert marked("\"They called it 'a disaster' and left,\" she said.") == [
        "\"They called it 'a disaster' and left,\""
    ]


def test_single_quotes_alone_and_apostrophes() -> None:
    assert marked("The ‘civilian mission’ is the players' union's idea, isn't it") == ["‘civilian mission’"]


def test_continuation_paragraphs_open_and_never_close() -> None:
    text = '"The first paragraph runs on.\n\n"The second one too.\n\n"The third closes."\n\nNarration.'
    assert marked(text) == ['"The first paragraph runs on.\n\n"The second one too.\n\n"The third closes."']


def test_a_quotation_of_another_family_nests_inside_the_open_one() -> None:
    assert marked('"The department is not about “equal justice” any more," he wrote.') == [
        '"The department is not about “equal justice” any more,"'
    ]
    assert marked('“He called it "a farce" today,” she said.') == ['“He called it "a farce" today,”']
    # A closing mark of the wrong family still closes: web copy mixes them.
    assert marked('He said "yes”, then “no”.') == ['"yes”', "“no”"]


def test_attribute_values_of_markup_left_in_the_text_are_no_quotations() -> None:
    text = '<post pic="" author="@CityOfHalifax" date="June 2, 2026">The ferry is "suspended" today.</post>'
    assert marked(text) == ['"suspended"']


def test_an_unclosed_mark_ends_with_its_paragraph() -> None:
    text = 'She said "this never closes.\n\nNarration goes on here.'
    [q] = quotations(text)
    assert text[q.start : q.end] == '"this never closes.'
    assert not q.closed


def test_continuation_keeps_to_one_family_of_marks() -> None:
    text = '"A straight mark left open.\n\n“A curly quote,” she said.'
    assert marked(text) == ['"A straight mark left open.', "“A curly quote,”"]


def test_a_closing_mark_typed_at_a_paragraph_start_opens() -> None:
    assert marked("”This opens a quote.” ― Jane Doe") == ["”This opens a quote.”"]


@pytest.mark.parametrize("text", ['"', '""', '" " "', "«", "»»", "”“", "'''", '\x00"\x00', '\n"\n"\n', 'a"b"c"d'])
def test_stray_marks_never_raise_and_stay_in_the_text(text: str) -> None:
    for q in quotations(text):
        assert 0 <= q.start < q.end <= len(text)


# ---------------------------------------------------------------------------------------------------
# Lexicon


def test_cue_lexicon_is_data() -> None:
    cues = lexicons.cues()
    assert "clause" in cues["say"]
    assert "prep" in cues["according to"]
    assert "of" in cues["accuse"]


# ---------------------------------------------------------------------------------------------------
# Direct quotes and cue positions


def test_direct_quote_cue_after(nlp: Language) -> None:
    q = only(nlp, '"We will build the new bridge next year," the mayor said.')
    assert q.text == '"We will build the new bridge next year,"'
    assert q.kind == "direct"
    assert q.cue is not None and q.cue.lemma == "say"
    assert [m.text for m in q.speaker_mentions] == ["the mayor"]


def test_direct_quote_cue_before_with_colon(nlp: Language) -> None:
    q = only(nlp, 'The mayor said: "We will build the new bridge next year."')
    assert q.text == '"We will build the new bridge next year."'
    assert q.kind == "direct"
    assert [m.text for m in q.speaker_mentions] == ["The mayor"]


def test_cue_inside_the_quote_gives_one_quote(nlp: Language) -> None:
    text = '"We will build the bridge," the mayor said, "and nobody will stop us from doing it."'
    q = only(nlp, text)
    assert q.start == 0 and q.end == len(text)
    assert q.kind == "direct"
    assert q.cue is not None and q.cue.text == "said"


def test_second_sentence_after_the_cue_continues_the_quote(nlp: Language) -> None:
    text = '"We need a new leader," she said. "We need someone who can win the vote in the spring."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"We need a new leader,"', '"We need someone who can win the vote in the spring."']
    assert q.kind == "direct"


@pytest.mark.parametrize("link", ["But", "Now,", "Instead,"])
def test_a_quotation_after_a_connective_in_the_next_sentence_continues_the_quote(nlp: Language, link: str) -> None:
    text = f'"The first half was poor," the coach said after the match. {link} "the young players showed real heart."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"The first half was poor,"', '"the young players showed real heart."']


def test_inverted_cue_before_the_speaker(nlp: Language) -> None:
    q = only(nlp, 'The new plan "will not work at all", says Finance Minister Jane Roe.')
    assert "will not work at all" in q.text
    assert q.kind == "mixed"
    assert q.speaker_mentions[0].text == "Finance Minister Jane Roe"


def test_guillemets(nlp: Language) -> None:
    q = only(nlp, "«We will win the next match easily», said the coach.")
    assert q.text == "«We will win the next match easily»"
    assert q.kind == "direct"


def test_multi_paragraph_quote_with_continuation_marks(nlp: Language) -> None:
    text = (
        'The minister said: "The first paragraph of the statement explains the plan.\n\n'
        '"The second paragraph explains why it will work."\n\nThe vote is on Monday.'
    )
    q = only(nlp, text)
    assert q.text.startswith('"The first paragraph')
    assert q.text.endswith('why it will work."')
    assert q.kind == "direct"


def test_a_floating_paragraph_is_a_quote_by_the_previous_speaker(nlp: Language) -> None:
    text = (
        '"We will not give up on the plan," the minister said.\n\n'
        '"The people of this country deserve a better future than this."\n\n'
        "The vote is on Monday."
    )
    first, floating = quotes(nlp, text)
    assert pieces(text, first) == ['"We will not give up on the plan,"']
    # A quotation paragraph of its own is a quote of its own, without a cue, by the same speaker.
    assert pieces(text, floating) == ['"The people of this country deserve a better future than this."']
    assert floating.cue is None and floating.kind == "direct"
    assert [m.text for m in floating.speaker_mentions] == ["the minister"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # sports report
        (
            "The Flames lost again on Saturday.\n\nCaptain Mikael Stroud was blunt after the game.\n\n"
            '"It\'s on us as players. We have to be better, plain and simple."',
            "Mikael Stroud",
        ),
        # British paper
        ('Residents were furious.\n\nMrs Patel agreed.\n\n"The council has let us down for years."', "Patel"),
    ],
)
def test_a_quotation_paragraph_after_a_person_s_sentence_is_theirs(nlp: Language, text: str, speaker: str) -> None:
    q = only(nlp, text)
    assert q.text.endswith('."') and q.cue is None and q.kind == "direct"
    assert [s.name for s in q.speakers] == [speaker]


def test_a_quotation_paragraph_after_narration_of_a_thing_is_no_one_s(nlp: Language) -> None:
    text = 'The vote was delayed again on Tuesday.\n\n"Enough is enough, and the people know it."\n\nIt resumes Monday.'
    assert quotes(nlp, text) == []


def test_scare_quotes_and_titles_are_not_quotes(nlp: Language) -> None:
    assert quotes(nlp, 'The so-called "deal" was signed in "The Hague" on Monday.') == []


# ---------------------------------------------------------------------------------------------------
# Indirect and mixed


def test_said_that(nlp: Language) -> None:
    q = only(nlp, "The minister said that the plan would fail.")
    assert q.text == "that the plan would fail"
    assert q.kind == "indirect"
    assert q.cue is not None and q.cue.lemma == "say"


def test_told_reporters(nlp: Language) -> None:
    q = only(nlp, "The minister told reporters the talks had collapsed.")
    assert q.text == "the talks had collapsed"
    assert q.cue is not None and q.cue.lemma == "tell"


def test_warned(nlp: Language) -> None:
    q = only(nlp, "The general warned that the border would close within days.")
    assert q.text == "that the border would close within days"
    assert q.cue is not None and q.cue.lemma == "warn"


def test_according_to(nlp: Language) -> None:
    q = only(nlp, "The talks collapsed on Monday, according to two diplomats.")
    assert q.text == "The talks collapsed on Monday"
    assert q.cue is not None and q.cue.lemma == "according to"
    assert [m.text for m in q.speaker_mentions] == ["two diplomats"]


def test_possessive_spokesman(nlp: Language) -> None:
    q = only(nlp, "The company's spokesman said the factory would reopen next week.")
    assert q.text == "the factory would reopen next week"
    assert q.speaker_mentions[0].text == "The company's spokesman"


def test_passive_with_agent(nlp: Language) -> None:
    q = only(nlp, "It was announced by the ministry that the airport would close.")
    assert q.text == "that the airport would close"
    assert [m.text for m in q.speaker_mentions] == ["the ministry"]


def test_mixed_quote_is_the_whole_reported_clause(nlp: Language) -> None:
    q = only(nlp, 'He added that the mayor\'s plans "sounded incorrect" and were "unacceptable".')
    assert q.text == 'that the mayor\'s plans "sounded incorrect" and were "unacceptable"'
    assert q.kind == "mixed"
    assert q.cue is not None and q.cue.lemma == "add"


def test_accused_of(nlp: Language) -> None:
    q = only(nlp, 'The president accused the rebels of "seeking to create disorder" in the region.')
    assert "seeking to create disorder" in q.text
    assert q.cue is not None and q.cue.lemma == "accuse"


def test_a_trailing_which_clause_stays_with_the_report(nlp: Language) -> None:
    text = "The mayor said the city had hired forty new teachers, which would ease crowding in the schools."
    q = only(nlp, text)
    assert q.text == "the city had hired forty new teachers, which would ease crowding in the schools"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The organizers said they were in better shape than the last summit in Geneva, where hotels ran out "
            "of rooms.",
            "they were in better shape than the last summit in Geneva, where hotels ran out of rooms",
        ),
        # about a person of the story: the writer's aside
        (
            "The senator said the trip was a welcome break from campaigning in Ohio, where she trails in most polls.",
            "the trip was a welcome break from campaigning in Ohio",
        ),
    ],
)
def test_a_trailing_where_clause_stays_with_the_report_unless_it_is_about_a_person(
    nlp: Language, text: str, content: str
) -> None:
    assert only(nlp, text).text == content


def test_a_which_clause_with_a_report_of_its_own_is_cut(nlp: Language) -> None:
    found = quotes(nlp, "The mayor said the city had hired forty new teachers, which critics said was far too few.")
    assert found[0].text == "the city had hired forty new teachers"


def test_a_who_gloss_is_the_writers(nlp: Language) -> None:
    q = only(nlp, "Smith said the plan came from Governor Jane Doe, who took office in January.")
    assert q.text == "the plan came from Governor Jane Doe"


def test_conjoined_speakers(nlp: Language) -> None:
    q = only(nlp, "Alice Smith and Bob Jones said the deal was dead.")
    assert [m.text for m in q.speaker_mentions] == ["Alice Smith", "Bob Jones"]


def test_sentence_index_is_where_the_quote_starts(nlp: Language) -> None:
    doc = nlp('The weather was fine. Nothing happened. "We are ready for the storm," the mayor said.')
    [q] = doc._.quotes
    assert list(doc.sents)[q.sentence_index].start_char <= q.start


def test_offsets_are_into_doc_text(nlp: Language) -> None:
    text = 'The mayor spoke.\n\n"Everything is fine and we are ready for it," she said.\n'
    for q in quotes(nlp, text):
        assert text[q.start : q.end] == q.text
        assert q.cue is not None and text[q.cue.start : q.cue.end] == q.cue.text
        for m in q.speaker_mentions:
            assert text[m.start : m.end] == m.text


# ---------------------------------------------------------------------------------------------------
# Property: hostile text never breaks the pipeline, and every offset is inside the text

_PIECES = st.sampled_from(
    [
        '"',
        "“",
        "”",
        "«",
        "»",
        "'",
        "‘",
        "’",
        "''",
        "``",
        "\x00",
        "\n",
        "\n\n",
        " ",
        ",",
        ".",
        ":",
        "―",
        "said",
        "says",
        "told",
        "according to",
        "he",
        "she",
        "the minister",
        "Putin",
        "Macron",
        "that",
        "we will win",
        "the plan",
        "failed",
        "accused",
        "of",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_PIECES, max_size=60).map(" ".join) | st.text(max_size=200))
def test_random_text_never_raises_and_offsets_hold(nlp: Language, text: str) -> None:
    doc = nlp(text)
    n_sents = len(list(doc.sents))
    for q in doc._.quotes:
        assert 0 <= q.start <= q.end <= len(text)
        assert q.fragments and all(q.start <= f.start < f.end <= q.end for f in q.fragments)
        assert not any("\n" in text[f.start : f.end] for f in q.fragments)  # one paragraph each
        assert pieces(text, q)  # the text is the fragments' text joined, the span from first to last
        assert 0 <= q.sentence_index < max(n_sents, 1)
        if q.cue is not None:
            assert text[q.cue.start : q.cue.end] == q.cue.text
        for m in [*q.speaker_mentions, *(s.mention for s in q.speakers)]:
            assert 0 <= m.start <= m.end <= len(text)
            assert text[m.start : m.end] == m.text


def test_quoted_fragment_after_its_cue_takes_the_rest_of_the_clause(nlp: Language) -> None:
    q = only(nlp, 'The senator urged the council to "really call out the company" and consider new fines.')
    assert q.text == 'the council to "really call out the company" and consider new fines'
    assert q.kind == "mixed"
    assert q.cue is not None and q.cue.lemma == "urge"


def test_unquoted_content_needs_a_few_words(nlp: Language) -> None:
    assert quotes(nlp, "The senator slammed Trump.") == []


def test_a_short_quotation_in_a_cue_verbs_object(nlp: Language) -> None:
    q = only(nlp, 'The governor mocked the new tax as a "gift to lobbyists".')
    assert q.text == 'the new tax as a "gift to lobbyists"'
    assert q.kind == "mixed"
    assert q.cue is not None and q.cue.lemma == "mock"
    assert [m.text for m in q.speaker_mentions] == ["The governor"]


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            'The premier mocked the opposition leader for "hiding in Ottawa all summer."',
            'the opposition leader for "hiding in Ottawa all summer."',
            "mock",
        ),
        (
            'The mayor blasted the council for "wasting everyone\'s time."',
            'the council for "wasting everyone\'s time."',
            "blast",
        ),
    ],
)
def test_a_quoted_gerund_under_a_cue_verbs_preposition_is_its_report(
    nlp: Language, text: str, content: str, cue: str
) -> None:
    q = only(nlp, text)
    assert (q.text, q.kind) == (content, "mixed")
    assert q.cue is not None and q.cue.lemma == cue


def test_a_quoted_gerund_under_a_bare_participle_is_not_reported(nlp: Language) -> None:
    assert quotes(nlp, "Talk of the debate compared to 'working the referees' at a basketball game.") == []


def test_a_short_quotation_under_any_other_verb_is_not_reported(nlp: Language) -> None:
    assert quotes(nlp, 'The company sold the "premium" plan to farmers.') == []


def test_long_narration_between_fragments_stays_out_of_the_quote(nlp: Language) -> None:
    text = (
        '"Not yet," said Jane Roe, a lawyer who has argued against the mine in court for many years.'
        ' "We will appeal the ruling in the spring."'
    )
    q = only(nlp, text)
    assert pieces(text, q) == ['"Not yet,"', '"We will appeal the ruling in the spring."']
    [mention] = q.speaker_mentions
    assert mention.text == "Jane Roe, a lawyer who has argued against the mine in court for many years"


def test_short_narration_between_fragments_is_left_out(nlp: Language) -> None:
    text = '"We will build the bridge," she said, "and nobody will stop us."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"We will build the bridge,"', '"and nobody will stop us."']


def test_cue_lexicon_merges_a_word_listed_twice() -> None:
    cues = lexicons.cues()
    assert {"clause", "noun"} <= cues["remark"]


def test_a_second_report_coordinated_after_the_content_is_its_own(nlp: Language) -> None:
    found = quotes(nlp, "Most members said the budget was too large, and several critics said the vote came too early.")
    texts = [q.text for q in found]
    assert "the budget was too large" in texts
    assert all("several critics" not in t for t in texts)


def test_a_reason_clause_after_the_report_belongs_to_it(nlp: Language) -> None:
    q = only(nlp, "The mayor said the bridge must close because the steel is badly corroded.")
    assert q.text == "the bridge must close because the steel is badly corroded"


def test_transcript_turns_are_their_speakers_quotes(nlp: Language) -> None:
    text = (
        "Host Jane Roe spoke with Senator Bill Doe on Sunday.\n\n"
        "ROE: Will you vote for the bill?\n\n"
        "DOE: Well, look, the bill is not ready and we need more time to read it.\n\n"
        "UPDATE: The vote was delayed."
    )
    found = quotes(nlp, text)
    turns = {q.text: [m.text for m in q.speaker_mentions] for q in found}
    assert turns["Well, look, the bill is not ready and we need more time to read it."] == ["DOE"]
    assert all("The vote was delayed" not in t for t in turns)


def test_a_report_inside_another_reports_content_is_not_a_quote_of_its_own(nlp: Language) -> None:
    q = only(nlp, "The mayor said the new audit shows that the city lost millions on the contract.")
    assert q.text == "the new audit shows that the city lost millions on the contract"
    assert [m.text for m in q.speaker_mentions] == ["The mayor"]


def test_a_short_quotation_opening_the_next_sentence_continues_the_quote(nlp: Language) -> None:
    text = "“Here it comes,” she said. “Big storm.”"
    assert pieces(text, only(nlp, text)) == ["“Here it comes,”", "“Big storm.”"]


def test_a_cue_phrase_between_commas_reports_the_whole_sentence(nlp: Language) -> None:
    text = "If the trade talks fail this winter, the minister said, the government will raise the tariffs."
    q = only(nlp, text)
    assert pieces(text, q) == ["If the trade talks fail this winter", "the government will raise the tariffs"]
    assert [m.text for m in q.speaker_mentions] == ["the minister"]


def test_a_cue_followed_by_its_quotation_is_not_an_interruption(nlp: Language) -> None:
    found = quotes(nlp, "Asked about the delay, the mayor said, “We are doing everything we can.”")
    assert [q.text for q in found] == ["“We are doing everything we can.”"]


def test_a_question_put_to_the_speaker_before_an_interrupting_cue_is_not_their_words(nlp: Language) -> None:
    # The parser may hang the opening mark on the cue and the question on the quoted clause.
    text = 'Asked about the new arena, he said, "It is a bad deal for the city, and we will fight it."'
    found = [q for q in quotes(nlp, text) if q.cue.lemma == "say"]
    assert [q.text for q in found] == ['"It is a bad deal for the city, and we will fight it."']


def test_a_cue_without_a_subject_after_a_quotation_takes_the_name_before_it(nlp: Language) -> None:
    text = "“I will just make this promise to you: We will finish the bridge this year,” Chief Jane Roe said Monday."
    q = only(nlp, text)
    assert q.text.startswith("“I will just make")
    assert "Roe" in " ".join(m.text for m in q.speaker_mentions)


def test_an_as_clause_cue_reports_the_clause_it_hangs_on(nlp: Language) -> None:
    q = only(nlp, "As several engineers have pointed out, the old bridge cannot carry heavy trucks.")
    assert q.text == "the old bridge cannot carry heavy trucks"
    assert [m.text for m in q.speaker_mentions] == ["several engineers"]


def test_a_written_text_reads(nlp: Language) -> None:
    q = only(nlp, "“We ask the council to keep the library open on Sundays,” the petition reads.")
    assert q.text == "“We ask the council to keep the library open on Sundays,”"


def test_a_second_quotation_skips_the_report_after_the_cue(nlp: Language) -> None:
    text = (
        "“We cannot fix the roads without money,” the mayor said, explaining why the budget matters so much. "
        "“Every repair we postpone costs twice as much next year.”"
    )
    found = {q.text: q for q in quotes(nlp, text)}
    joined = [t for t in found if t.startswith("“We cannot") and t.endswith("next year.”")]
    assert joined, list(found)


def test_a_cue_closing_the_sentence_reports_all_of_it(nlp: Language) -> None:
    text = "The bridge was supposed to open in May, but the contractor ran out of money, a city official said."
    q = only(nlp, text)
    assert q.text == "The bridge was supposed to open in May, but the contractor ran out of money"


def test_a_gerund_subject_after_the_cue_phrase_continues_the_clause(nlp: Language) -> None:
    text = "Though the first vote was easy, she said, replacing the chairman would be much harder."
    q = only(nlp, text)
    assert pieces(text, q) == ["Though the first vote was easy", "replacing the chairman would be much harder"]


def test_the_speakers_next_act_is_not_part_of_the_report(nlp: Language) -> None:
    found = quotes(nlp, "The mayor said the bridge would open in May and warned drivers to expect delays.")
    assert found[0].text == "the bridge would open in May"
    assert all("Mayor" in " ".join(m.text for m in q.speaker_mentions).title() for q in found)


def test_a_name_the_parser_made_an_apposition_before_the_cue_is_the_speaker(nlp: Language) -> None:
    from spacy.tokens import Doc

    from streams.nlp.quotes import appositive_speaker

    words = ["To", "see", "the", "canal", ",", "Ann", "Lee", "said", ",", "one", "should", "walk", "."]
    heads = [1, 11, 3, 7, 3, 6, 3, 11, 7, 11, 11, 11, 11]
    deps = [
        "aux",
        "advcl",
        "det",
        "nsubj",
        "punct",
        "compound",
        "appos",
        "parataxis",
        "punct",
        "nsubj",
        "aux",
        "ROOT",
        "punct",
    ]
    pos = ["PART", "VERB", "DET", "NOUN", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT", "PRON", "AUX", "VERB", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    assert [t.text for t in appositive_speaker(doc[7], [doc[3]])] == ["Lee"]
    assert appositive_speaker(doc[7], [doc[6]]) == []


def test_a_lowercase_quotation_after_an_interrupting_cue_continues_the_clause(nlp: Language) -> None:
    q = only(nlp, 'When the council voted last spring to close the plant, Ms. Roe said, "we were stunned."')
    assert q.text.startswith("When the council voted")
    assert q.text.endswith('"we were stunned."')


def test_a_second_that_clause_is_part_of_the_report(nlp: Language) -> None:
    text = (
        "In a statement, the league said the players' conduct was unacceptable"
        " and that the board would continue to review the matter."
    )
    q = only(nlp, text)
    assert q.text == "the players' conduct was unacceptable and that the board would continue to review the matter"


def test_a_quoted_clause_coordinated_with_the_cue_joins_the_report(nlp: Language) -> None:
    text = 'The coach says his players want to win, but the league keeps giving them "rules, fines and lectures."'
    q = only(nlp, text)
    assert pieces(text, q) == ['his players want to win, but the league keeps giving them "rules, fines and lectures."']
    q = only(nlp, "The coach says his players want to win, but the season ended in March.")
    assert q.text == "his players want to win"


def test_a_quoted_show_name_between_the_cue_and_its_report_is_not_a_quote(nlp: Language) -> None:
    found = quotes(nlp, 'Jones told NBC\'s "Today Show" that nobody would question her judgment.')
    assert [q.text for q in found] == ["that nobody would question her judgment"]


def test_a_quotation_opening_its_sentence_after_a_framing_phrase_is_the_whole_report(nlp: Language) -> None:
    q = only(nlp, "On NBC’s “Evening Report” Monday, she said, “We never promised to cover the costs.”")
    assert q.text == "“We never promised to cover the costs.”"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Half of the voters said so in May.", "so"),
        ("Most Democrats said the same of the governor.", "the same of the governor"),
        ("Her campaign manager said as much on Sunday.", "as much"),
        ("Most of the councillors said no to the new arena.", "no to the new arena"),
        ("Two in three said the same for the finance minister.", "the same for the finance minister"),
        ("Half of the voters said the same for years.", "the same"),
    ],
)
def test_a_pro_form_is_the_whole_report(nlp: Language, text: str, content: str) -> None:
    assert [q.text for q in quotes(nlp, text)] == [content]


def test_the_pro_form_lexicon_is_data() -> None:
    assert {"so", "yes", "no", "same"} <= lexicons.words("proforms.txt")


# ---------------------------------------------------------------------------------------------------
# Constructions of issue 12, in the styles of wire copy, British, Canadian and US papers, opinion and sport


def test_a_titled_speaker_between_two_quotations_keeps_both(nlp: Language) -> None:
    # Wire copy.
    text = '"Taxes will go up," Prime Minister Jane Doe said. "Nobody likes it, but we must pay for the hospitals."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"Taxes will go up,"', '"Nobody likes it, but we must pay for the hospitals."']
    assert [m.text for m in q.speaker_mentions] == ["Prime Minister Jane Doe"]
    assert q.cue is not None and q.cue.text == "said"


def test_an_apposition_after_the_speaker_stays_out_of_the_quote(nlp: Language) -> None:
    # A Canadian city-hall story.
    text = (
        "“The levy pays for snow removal,” said Jane Doe, the city’s budget director. "
        "“Without it, the plows stay in the yard.”"
    )
    q = only(nlp, text)
    assert pieces(text, q) == ["“The levy pays for snow removal,”", "“Without it, the plows stay in the yard.”"]
    assert [m.text for m in q.speaker_mentions] == ["Jane Doe, the city’s budget director"]
    assert [s.name for s in q.speakers] == ["Jane Doe"]


def test_narration_between_two_quotations_is_no_fragment(nlp: Language) -> None:
    # A sports report.
    text = '"We won the match," the coach said while standing outside the stadium. "The lads were brilliant today."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"We won the match,"', '"The lads were brilliant today."']


def test_a_new_paragraph_after_a_closed_quotation_is_a_new_quote(nlp: Language) -> None:
    # A British paper: the quote does not run over the paragraph break.
    text = "‘We will appeal,’ the club’s chairman said.\n\n‘The fans deserve nothing less.’\n\nThe hearing is in May."
    first, second = quotes(nlp, text)
    assert pieces(text, first) == ["‘We will appeal,’"]
    assert pieces(text, second) == ["‘The fans deserve nothing less.’"]
    assert second.cue is None
    assert [m.text for m in second.speaker_mentions] == ["the club’s chairman"]


def test_a_quotation_left_open_runs_on_one_fragment_a_paragraph(nlp: Language) -> None:
    # US convention: no closing mark at the end of a paragraph the quotation goes on after.
    text = (
        '"We knew the levee would not hold," the engineer said. "We told the county in March.\n\n'
        '"Nobody listened to us."\n\nThe county declined to comment.'
    )
    q = only(nlp, text)
    assert pieces(text, q) == [
        '"We knew the levee would not hold,"',
        '"We told the county in March.',
        '"Nobody listened to us."',
    ]


def test_a_name_and_a_colon_introduce_a_quotation(nlp: Language) -> None:
    text = 'Senator Jane Doe: "We will never accept this deal."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"We will never accept this deal."']
    assert [m.text for m in q.speaker_mentions] == ["Senator Jane Doe"]
    # The small model's NER stops at "Jane" here ("Doe" read as a noun); the name after a title is whole.
    assert [(s.name, s.title) for s in q.speakers] == [("Jane Doe", "Senator")]
    assert q.cue is not None and q.cue.text == ":"
    # A noun phrase that is not a name does not speak.
    assert quotes(nlp, 'The coach\'s verdict: "We were simply not good enough today."') == []


def test_interview_answers_are_the_interviewees_quotes(nlp: Language) -> None:
    # A Q&A as newspapers run them.
    text = (
        "The mayor, Jane Doe, sat down with us on Monday.\n\n"
        "Q: Will you run again?\nA: I have not decided yet.\n\n"
        "Q: What about the budget?\nA: It will be balanced by the spring."
    )
    answers = quotes(nlp, text)
    assert [pieces(text, q) for q in answers] == [["I have not decided yet."], ["It will be balanced by the spring."]]
    assert [[m.text for m in q.speaker_mentions] for q in answers] == [["Jane Doe"], ["Jane Doe"]]
    assert {q.kind for q in answers} == {"direct"}
    # "A." opening a line is an initial, not an answer, when no question came before.
    assert quotes(nlp, "A. Smith scored twice. The match ended late.") == []
    # No one named before the questions: the role that took them answers (a Canadian paper's Q&A).
    text = "The premier took questions after the speech.\n\nQ: Will you run again?\n\nA: I have not decided yet."
    answer = only(nlp, text)
    assert pieces(text, answer) == ["I have not decided yet."]
    assert [m.text for m in answer.speaker_mentions] == ["The premier"]


def test_a_colon_after_a_cue_verb_and_a_block_quotation(nlp: Language) -> None:
    text = 'The ministry wrote:\n\n"The measures will remain in place until the end of March."'
    q = only(nlp, text)
    assert pieces(text, q) == ['"The measures will remain in place until the end of March."']
    assert [m.text for m in q.speaker_mentions] == ["The ministry"]


def test_a_quotation_signed_with_a_dash(nlp: Language) -> None:
    # An opinion page's pull quote.
    text = '"Every child deserves a safe school." -- Commissioner Jane Doe'
    q = only(nlp, text)
    assert pieces(text, q) == ['"Every child deserves a safe school."']
    assert [m.text for m in q.speaker_mentions] == ["Commissioner Jane Doe"]


def test_names_and_colons_running_on_one_line_each_sign_their_quotation(nlp: Language) -> None:
    text = (
        'Doug Ford: "We will build the subway line by 2030, whatever it costs." '
        'Olivia Chow: "The city cannot afford another promise it will not keep."'
    )
    assert [(pieces(text, q), [m.text for m in q.speaker_mentions]) for q in quotes(nlp, text)] == [
        (['"We will build the subway line by 2030, whatever it costs."'], ["Doug Ford"]),
        (['"The city cannot afford another promise it will not keep."'], ["Olivia Chow"]),
    ]


def test_a_quotation_signed_with_a_dash_on_the_next_line(nlp: Language) -> None:
    # A notebook's quote of the day, its speaker on the line below.
    text = (
        "The pool closed on Monday.\n\n"
        '"Every child deserves a safe school and a hot lunch."\n\n'
        "- Premier Jane Doe, speaking in Halifax.\n\nThe rink stays open."
    )
    q = only(nlp, text)
    assert pieces(text, q) == ['"Every child deserves a safe school and a hot lunch."']
    assert [m.text for m in q.speaker_mentions] == ["Premier Jane Doe"]


def test_a_statement_introduced_by_a_colon_closing_the_line_before(nlp: Language) -> None:
    text = (
        "The flood reached the town hall on Sunday night.\n\n"
        "Premier Jane Doe issued the following statement:\n\n"
        '"Our thoughts are with every family who lost a home this weekend. We will rebuild."'
    )
    q = only(nlp, text)
    assert pieces(text, q) == ['"Our thoughts are with every family who lost a home this weekend. We will rebuild."']
    assert [m.text for m in q.speaker_mentions] == ["Premier Jane Doe"]


@pytest.mark.parametrize(
    ("text", "report"),
    [
        (
            "She said she worked nights, skipped meals and was often too tired to sleep.",
            "she worked nights, skipped meals and was often too tired to sleep",
        ),
        (
            "The minister said the tax would rise, the schools would close and nurses would lose their jobs.",
            "the tax would rise, the schools would close and nurses would lose their jobs",
        ),
    ],
)
def test_indirect_speech_keeps_its_whole_coordinated_complement(nlp: Language, text: str, report: str) -> None:
    q = only(nlp, text)
    assert pieces(text, q) == [report]
    assert q.kind == "indirect"


def test_a_clause_after_the_report_with_its_own_subject_stays_out(nlp: Language) -> None:
    text = "Police said the man was arrested on Friday, and the investigation continues."
    assert pieces(text, only(nlp, text)) == ["the man was arrested on Friday"]


def test_an_inverted_cue_after_the_quotation_names_the_speaker_after_it(nlp: Language) -> None:
    # US political copy: the parser hangs the name on a verb further on; the name right after the cue speaks.
    text = (
        '"What\'s shaping up is a battle for the ages," said David Brock, a confidant who heads '
        "the super PAC Correct the Record."
    )
    q = only(nlp, text)
    assert pieces(text, q) == ['"What\'s shaping up is a battle for the ages,"']
    assert [s.name for s in q.speakers] == ["David Brock"]


def test_a_reporting_sentence_split_off_after_a_question(nlp: Language) -> None:
    text = "“Just one minute, come on, one second, alright?” he urged them, as he explained how tough it is to run."
    found = quotes(nlp, text)
    assert [pieces(text, q) for q in found] == [
        ["“Just one minute, come on, one second, alright?”"],
        ["how tough it is to run"],
    ]
    assert found[0].cue is not None and found[0].cue.text == "urged"


def test_a_that_clause_the_parser_hung_on_the_circumstances_is_the_report(nlp: Language) -> None:
    # Wire copy: "in a statement", "during a news conference" between the cue and its report.
    text = "The club's owner said during a news conference that he would sell the team before the season."
    q = only(nlp, text)
    assert pieces(text, q) == ["that he would sell the team before the season"]
    assert [m.text for m in q.speaker_mentions] == ["The club's owner"]
    # A relative clause on a noun of the circumstances is not a report.
    assert quotes(nlp, "The mayor spoke at a rally that drew thousands of people on Friday.") == []
    # Business wire: the parser made "that" the relative clause's subject and "profits" a second one.
    text = "The company said in a news release that profits rose 12 per cent in the third quarter."
    assert pieces(text, only(nlp, text)) == ["that profits rose 12 per cent in the third quarter"]


def test_a_poll_share_speaks(nlp: Language) -> None:
    text = "About 4 in 10 say they want the next president to cut taxes."
    q = only(nlp, text)
    assert pieces(text, q) == ["they want the next president to cut taxes"]
    assert [m.text for m in q.speaker_mentions] == ["About 4 in 10"]


def test_according_to_closing_a_sentence_reports_all_of_it(nlp: Language) -> None:
    # A Canadian business brief: the parser hangs the phrase on the last clause only.
    text = "Sales rose 4 per cent, exports fell and the loonie slipped, according to Statistics Canada."
    q = only(nlp, text)
    assert pieces(text, q) == ["Sales rose 4 per cent, exports fell and the loonie slipped"]
    assert q.cue is not None and q.cue.lemma == "according to"
    assert [m.text for m in q.speaker_mentions] == ["Statistics Canada"]


def test_according_to_opening_a_sentence_reports_the_rest(nlp: Language) -> None:
    text = "According to the coach, the team will travel on Friday and play on Sunday."
    q = only(nlp, text)
    assert pieces(text, q) == ["the team will travel on Friday and play on Sunday"]
    assert [m.text for m in q.speaker_mentions] == ["the coach"]


def test_calls_for_and_calls_on_report_what_is_called_for(nlp: Language) -> None:
    # An opinion column and a wire story.
    text = "The premier called for a national inquiry into the collapse of the pension fund."
    q = only(nlp, text)
    assert pieces(text, q) == ["a national inquiry into the collapse of the pension fund"]
    text = 'She issued a statement, calling on Parliament to act and force banks to pay "their fair share" of taxes.'
    q = only(nlp, text)
    assert pieces(text, q) == ['Parliament to act and force banks to pay "their fair share" of taxes']
    assert q.kind == "mixed"


def test_criticized_for_reports_whom_and_what_for(nlp: Language) -> None:
    # A sports report.
    text = "The manager criticized the referee for ignoring two clear penalties in the second half."
    q = only(nlp, text)
    assert pieces(text, q) == ["the referee for ignoring two clear penalties in the second half"]
    assert [m.text for m in q.speaker_mentions] == ["The manager"]


def test_described_as_with_a_clause(nlp: Language) -> None:
    text = "The premier has described the summit as the provinces finally speaking with one voice."
    q = only(nlp, text)
    assert pieces(text, q) == ["the summit as the provinces finally speaking with one voice"]


def test_a_name_and_its_age_before_the_cue_speak(nlp: Language) -> None:
    # Wire copy: the parser coordinates the name with the quotation's clause.
    text = "“We were wrong not to confront him from the beginning,” Ramos, 58, told AFP in an interview on Monday."
    q = only(nlp, text)
    assert pieces(text, q) == ["“We were wrong not to confront him from the beginning,”"]
    assert [m.text for m in q.speaker_mentions] == ["Ramos, 58"]
    assert [s.name for s in q.speakers] == ["Ramos"]


def test_an_object_with_an_infinitive_is_not_a_report(nlp: Language) -> None:
    assert quotes(nlp, "Over the years the senator has found ways to press his agenda through small amendments.") == []


def test_evidence_cues_need_a_source_for_subject(nlp: Language) -> None:
    text = "A poll released on Monday shows that most voters want the election moved to the spring."
    q = only(nlp, text)
    assert pieces(text, q) == ["that most voters want the election moved to the spring"]
    # The writer's reasoning is no report.
    assert quotes(nlp, "The popularity of the premier shows how badly the opposition misjudged the voters.") == []


def test_a_naming_participle_reports_nothing(nlp: Language) -> None:
    assert quotes(nlp, 'The theatre staged an adaptation of a show called "Brokers," to full houses.') == []
    assert quotes(nlp, 'What is today called "regenerative medicine" began in a small laboratory.') == []
    # Tagged a past tense by the small model, still a participle naming its noun.
    assert quotes(nlp, "As students, she and her sisters joined a movement called the Patriotic Front.") == []
    assert quotes(nlp, 'A newsletter, called the "Ledger," written by two retired teachers, covers the council.') == []


def test_a_roundup_item_names_its_speaker_after_a_dash(nlp: Language) -> None:
    text = "TURNOUT HELD UP IN THE NORTH - Jane Doe: “The rural vote came out in force, and it decided the race.”"
    q = only(nlp, text)
    assert pieces(text, q) == ["“The rural vote came out in force, and it decided the race.”"]
    assert [m.text for m in q.speaker_mentions] == ["Jane Doe"]


def test_a_gerund_complement_is_the_report(nlp: Language) -> None:
    text = "The campaign reported raising and spending about $9 million during the month."
    q = only(nlp, text)
    assert pieces(text, q) == ["raising and spending about $9 million during the month"]


def test_a_consequence_the_writer_adds_stays_out_of_the_report(nlp: Language) -> None:
    text = "Most voters said they would back the levy, putting the council well ahead of its critics."
    q = only(nlp, text)
    assert pieces(text, q) == ["they would back the levy"]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("The mayor said he never met the reporter, Jane Doe.", "he never met the reporter, Jane Doe"),
        (
            "The senator said she would vote against the deal with Ottawa, the capital.",
            "she would vote against the deal with Ottawa",
        ),
    ],
)
def test_an_apposition_naming_a_noun_is_the_speakers_one_glossing_a_name_the_writers(
    nlp: Language, text: str, content: str
) -> None:
    assert pieces(text, only(nlp, text)) == [content]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "She said she was travelling to visit her mother, who had fallen ill.",
            "she was travelling to visit her mother, who had fallen ill",
        ),
        ("The mayor said he spoke with Jane Doe, who runs the city's largest shelter.", "he spoke with Jane Doe"),
    ],
)
def test_a_who_clause_after_a_common_noun_is_the_speakers_after_a_name_the_writers(
    nlp: Language, text: str, content: str
) -> None:
    assert pieces(text, only(nlp, text)) == [content]


def test_an_apposition_opened_by_a_focusing_adverb_is_part_of_the_report(nlp: Language) -> None:
    text = "The minister said the new rules would hurt immigrants, particularly refugees."
    assert pieces(text, only(nlp, text)) == ["the new rules would hurt immigrants, particularly refugees"]


def test_where_the_quoted_words_were_said_stays_out_of_the_report(nlp: Language) -> None:
    text = 'The mayor said his rival "does not care about this city" in an interview with a local radio station.'
    assert pieces(text, only(nlp, text)) == ['his rival "does not care about this city"']


def test_where_and_when_the_quoted_words_were_said_stay_out_of_the_report(nlp: Language) -> None:
    text = 'The councillor called the new bylaw "a mess" in a post on Monday night.'
    assert pieces(text, only(nlp, text)) == ['the new bylaw "a mess"']
    text = 'The host called the premier a "coward" on his morning show.'
    assert pieces(text, only(nlp, text)) == ['the premier a "coward"']


def test_the_terms_of_anonymity_stay_out_of_the_report(nlp: Language) -> None:
    text = (
        "Two officials said the talks had stalled on condition of anonymity because they were not authorized to speak."
    )
    assert pieces(text, only(nlp, text)) == ["the talks had stalled"]


def test_a_cue_nouns_that_clause_after_a_parenthetical_is_part_of_the_report(nlp: Language) -> None:
    text = (
        "The bishop has denounced suggestions by two senators, Jane Roe and Sen. John Doe (R-Tex.), "
        "that they would close the border to all refugees."
    )
    assert pieces(text, only(nlp, text)) == [text[text.index("suggestions") : -1]]


def test_an_elaboration_after_a_colon_goes_on_with_the_report(nlp: Language) -> None:
    text = "She noted that more newcomers own homes than do people born here: 70 percent expect to buy one."
    assert pieces(text, only(nlp, text)) == [text[text.index("that") : -1]]


def test_a_noun_phrase_the_writer_sets_after_the_report_stays_out_of_it(nlp: Language) -> None:
    text = "The company said its revenue rose to $557 million last year, an increase of almost $200 million."
    assert pieces(text, only(nlp, text)) == ["its revenue rose to $557 million last year"]


def test_a_noun_phrase_the_parser_made_a_second_complement_stays_out_of_the_report(nlp: Language) -> None:
    text = (
        'The manager shrugged off the boos, saying the fans would "come around" by the spring, a swipe at the critics.'
    )
    assert pieces(text, only(nlp, text)) == ['the fans would "come around" by the spring']


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            'The premier said some families would pay "slightly more" in taxes, an acknowledgment the opposition '
            "quickly seized on.",
            'some families would pay "slightly more" in taxes',
        ),
        (
            "The coach said the team would be back at practice on Wednesday morning, a clear message to his players.",
            "the team would be back at practice on Wednesday morning",
        ),
        (
            'One councillor likened the new parking rules to "robbing the taxpayers" - a charge that might '
            "have stung the mayor.",
            'the new parking rules to "robbing the taxpayers"',
        ),
    ],
)
def test_the_writers_label_for_the_report_stays_out_of_it(nlp: Language, text: str, content: str) -> None:
    assert pieces(text, only(nlp, text)) == [content]


def test_a_participle_of_saying_opening_a_quotation_of_its_own_ends_the_report(nlp: Language) -> None:
    text = (
        "Smith told the Herald that the premier \u201chad a crazy plan for the mill which was reckless,\u201d "
        "adding, \u201cHe lost every vote in the valley and he lost everybody who works there.\u201d"
    )
    assert [(q.kind, q.text, q.cue.lemma if q.cue else None) for q in quotes(nlp, text)] == [
        ("mixed", "that the premier \u201chad a crazy plan for the mill which was reckless,\u201d", "tell"),
        ("direct", "\u201cHe lost every vote in the valley and he lost everybody who works there.\u201d", "add"),
    ]


def test_what_the_speaker_did_next_after_the_quoted_words_stays_out(nlp: Language) -> None:
    text = (
        "On Monday, the mayor groused to a crowd in Halifax that the network "
        '"does not treat me properly" before floating the idea that it should pay him.'
    )
    assert pieces(text, only(nlp, text)) == ['that the network "does not treat me properly"']


def test_a_quoted_noun_phrase_after_the_report_is_the_speakers(nlp: Language) -> None:
    text = (
        'The mayor says he is distressed by the campaign -- "an outrage and an insult to voters" -- and may run again.'
    )
    assert pieces(text, only(nlp, text)) == ['he is distressed by the campaign -- "an outrage and an insult to voters"']


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The bank reported a profit of $1.78 per share, well above the $1.11 a share that analysts expected.",
            "a profit of $1.78 per share",
        ),
        (
            "The club said attendance fell to 12,000 a game, far below the 20,000 it needs to break even.",
            "attendance fell to 12,000 a game",
        ),
        # a change over time is often the source's own figure
        (
            "Statistics Canada said the jobless rate rose to 7.2 per cent, up from 6.9 per cent in March.",
            "the jobless rate rose to 7.2 per cent, up from 6.9 per cent in March",
        ),
        (
            "She said 3 schools would stay open, above all for the families who depend on them.",
            "3 schools would stay open, above all for the families who depend on them",
        ),
    ],
)
def test_a_comparison_the_writer_sets_after_a_figure_stays_out(nlp: Language, text: str, content: str) -> None:
    assert pieces(text, only(nlp, text)) == [content]


def test_a_reaction_the_report_drew_stays_out_of_it(nlp: Language) -> None:
    text = "The minister said the pipeline would be built by 2030, drawing a sharp reply from the opposition."
    assert pieces(text, only(nlp, text)) == ["the pipeline would be built by 2030"]


def test_a_consequence_after_a_closing_quotation_mark_stays_out_of_the_report(nlp: Language) -> None:
    text = 'The premier said the budget would be "balanced," sparking doubts among economists.'
    assert pieces(text, only(nlp, text)) == ['the budget would be "balanced,"']


@pytest.mark.parametrize(
    ("text", "quotation"),
    [
        # wire: the speaker's next act, a verb without a subject of its own
        (
            'The mayor wrote on Twitter, "The bridge will reopen by Friday," and shared a photo of the crews.',
            '"The bridge will reopen by Friday,"',
        ),
        # British: the writer's reading of the words
        (
            'The chancellor told MPs, "The figures speak for themselves," presumably meaning the deficit had narrowed.',
            '"The figures speak for themselves,"',
        ),
        # Canadian: when the words were said
        ('The premier replied, "We\'ll see," when asked whether Ottawa would pay for the new line.', '"We\'ll see,"'),
        # sports: a relative clause on the whole quotation
        (
            'The winger said, "It was the best goal of my career," which drew cheers from the crowd.',
            '"It was the best goal of my career,"',
        ),
        # a noun phrase glossing the quoted words
        (
            'One placard read "SaveOurHarbour.ca," a website run by a group of fishermen in Nova Scotia.',
            '"SaveOurHarbour.ca,"',
        ),
    ],
)
def test_narration_after_a_quotation_closed_on_a_comma_stays_out(nlp: Language, text: str, quotation: str) -> None:
    assert pieces(text, only(nlp, text)) == [quotation]


def test_a_participle_after_a_quoted_phrase_inside_the_report_stays_in_it(nlp: Language) -> None:
    text = 'The union said the workers were "well-paid," earning between $40,000 and $60,000 a year.'
    assert pieces(text, only(nlp, text)) == ['the workers were "well-paid," earning between $40,000 and $60,000 a year']


def test_quoted_words_after_an_apposition_comma_stay_in_the_report(nlp: Language) -> None:
    text = 'He said he was not advocating violence, only a "loud voice."'
    assert pieces(text, only(nlp, text)) == ['he was not advocating violence, only a "loud voice."']


def test_a_cue_that_inherits_its_subject_leaves_the_speakers_clause_out(nlp: Language) -> None:
    text = "The coach weighed in as well, telling reporters on Monday, “We are ready for the final.”"
    q = only(nlp, text)
    assert pieces(text, q) == ["“We are ready for the final.”"]
    assert [m.text for m in q.speaker_mentions] == ["The coach"]
