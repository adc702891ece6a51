"""Speaker resolution on sentences written for the test: pronouns, nominals, short forms, titles."""

from __future__ import annotations

import pytest
from spacy.language import Language

from streams.nlp.entities import entity_id
from streams.nlp.records import Quote, Speaker


def quote_with(nlp: Language, text: str, fragment: str) -> Quote:
    doc = nlp(text)
    found = [q for q in doc._.quotes if fragment in q.text]
    assert found, [q.text for q in doc._.quotes]
    return found[0]


def speaker(nlp: Language, text: str, fragment: str) -> Speaker:
    q = quote_with(nlp, text, fragment)
    assert q.speakers, q
    return q.speakers[0]


def test_pronoun_resolves_to_the_last_person_outside_quotes(nlp: Language) -> None:
    text = 'Angela Merkel spoke first. "Emmanuel Macron is right about the budget," she said.'
    s = speaker(nlp, text, "right about the budget")
    assert s.name == "Angela Merkel"
    assert s.mention.text == "she"
    assert text[s.mention.start : s.mention.end] == "she"
    assert s.entity_id == entity_id("Angela Merkel", "PERSON")


def test_pronoun_follows_the_previous_speaker(nlp: Language) -> None:
    text = 'Emmanuel Macron said the budget was fair. "We will not give up on it," he added.'
    s = speaker(nlp, text, "give up")
    assert s.name == "Emmanuel Macron"
    assert s.mention.text == "he"


@pytest.mark.parametrize(
    "introduction",
    [
        "The union's president, Lana Payne, was unimpressed.",  # the small model calls her an organisation
        "The party's spokeswoman, Tess Okafor, was unimpressed.",  # ... and her a place
    ],
)
def test_a_name_in_apposition_with_a_person_s_role_is_a_person(nlp: Language, introduction: str) -> None:
    text = (
        '"We have been very clear," Prime Minister Justin Trudeau told reporters.\n\n'
        f"{introduction} She said the offer was too little, too late."
    )
    s = speaker(nlp, text, "too little")
    assert s.mention.text == "She"
    assert s.name == introduction.split(", ")[1]


def test_a_name_in_apposition_with_a_role_organisations_hold_keeps_its_label(nlp: Language) -> None:
    doc = nlp("The deal's adviser, Goldman Sachs, said the talks had ended.")
    assert [(e.name, e.label) for e in doc._.entities] == [("Goldman Sachs", "ORG")]


def test_a_nominal_takes_no_words_from_the_sentence_before_an_entity(nlp: Language) -> None:
    # Opinion column: "health" before "I." (which the small model calls an organisation) is not the
    # minister's title.
    text = (
        "Remember when politicians promised to fix health care? So do I.\n\n"
        '"We\'re working on it," the health minister told me last week.'
    )
    s = speaker(nlp, text, "working on it")
    assert (s.name, s.entity_id) == ("the health minister", None)
    assert all(e.name != "I." for e in nlp(text)._.entities)


@pytest.mark.parametrize(
    ("text", "fragment", "name"),
    [
        # Sports: by age, the person given that age.
        (
            'Jane Roe, 51, and Drew Doughty, 34, signed new deals.\n\n"I love this city," the 34-year-old said.',
            "love this city",
            "Drew Doughty",
        ),
        # By nationality: the person the story is about.
        (
            'Manchester United manager Erik ten Hag was frustrated. "We created chances," the Dutchman said.',
            "created chances",
            "Erik ten Hag",
        ),
    ],
)
def test_an_epithet_takes_the_person_just_named(nlp: Language, text: str, fragment: str, name: str) -> None:
    assert speaker(nlp, text, fragment).name == name


def test_a_people_named_by_nationality_is_no_one_person(nlp: Language) -> None:
    text = 'John Kerry met the envoys. "We will not leave Aleppo," the Russians said.'
    assert speaker(nlp, text, "leave Aleppo").entity_id != entity_id("John Kerry", "PERSON")


def test_short_form_takes_the_canonical_entity(nlp: Language) -> None:
    text = "German Chancellor Angela Merkel arrived in Paris on Monday. Merkel said the talks went well."
    s = speaker(nlp, text, "the talks went well")
    assert s.name == "Angela Merkel"
    assert s.mention.text == "Merkel"
    assert s.entity_id == entity_id("Angela Merkel", "PERSON")


def test_title_is_kept_apart_from_the_name(nlp: Language) -> None:
    text = "French President Emmanuel Macron said the deal was fair."
    s = speaker(nlp, text, "the deal was fair")
    assert s.name == "Emmanuel Macron"
    assert s.title == "French President"


def test_nominal_resolves_to_the_entity_introduced_with_the_same_words(nlp: Language) -> None:
    text = (
        "French President Emmanuel Macron met reporters in Paris on Monday.\n\n"
        "The French leader said the deal was fair to every country in the union."
    )
    s = speaker(nlp, text, "the deal was fair")
    assert s.name == "Emmanuel Macron"
    assert s.mention.text == "The French leader"


def test_relative_pronoun_stands_for_its_antecedent(nlp: Language) -> None:
    text = "The plan was backed by Emmanuel Macron, who said the deal was fair to everyone."
    s = speaker(nlp, text, "the deal was fair")
    assert s.name == "Emmanuel Macron"
    assert s.mention.text == "who"


def test_conjoined_speakers_are_both_attributed(nlp: Language) -> None:
    q = quote_with(nlp, "Angela Merkel and Emmanuel Macron said the deal was fair.", "the deal was fair")
    assert [s.name for s in q.speakers] == ["Angela Merkel", "Emmanuel Macron"]


def test_an_unnamed_source_stays_as_written(nlp: Language) -> None:
    s = speaker(nlp, "A source close to the talks said the deal was dead.", "the deal was dead")
    assert s.entity_id is None
    assert s.name == "A source close to the talks"


def test_speakers_have_offsets_into_the_text(nlp: Language) -> None:
    text = 'Angela Merkel spoke.\n\n"We are ready," she said. Macron said the talks were over.'
    doc = nlp(text)
    for q in doc._.quotes:
        for s in q.speakers:
            assert text[s.mention.start : s.mention.end] == s.mention.text


def test_a_role_cut_from_its_name_takes_the_person_after_it(nlp: Language) -> None:
    # The parse makes "candidate" and "Carson" two subjects: the role and the name are one speaker.
    s = speaker(nlp, "GOP presidential candidate Dr. Ben Carson said on Monday that the plan would fail.", "the plan")
    assert (s.name, s.title) == ("Ben Carson", "GOP presidential candidate")
    assert s.entity_id == entity_id("Ben Carson", "PERSON")
    assert s.mention.text == "GOP presidential candidate"


def test_a_headline_verb_makes_no_speaker_name(nlp: Language) -> None:
    text = "Obama Says He Will Veto the Bill\n\nPresident Barack Obama said on Monday he would veto the bill."
    doc = nlp(text)
    assert [s.name for q in doc._.quotes for s in q.speakers] == ["Barack Obama", "Barack Obama"]


def test_the_component_raises_rather_than_dropping_speakers(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.nlp import speakers

    def broken(doc: object) -> None:
        raise RuntimeError("a bug")

    doc = nlp.make_doc("Angela Merkel said the talks went well.")
    monkeypatch.setattr(speakers, "resolve_speakers", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        speakers.SpeakerResolver()(doc)
