"""`streams.people`: bare surnames resolved across articles, on enriched events written for the test."""

from __future__ import annotations

from collections.abc import Mapping

from streams.events import Event
from streams.nlp.entities import entity_id
from streams.people import (
    KnownPeople,
    count_title,
    counted,
    dominant,
    lessons,
    main_title,
    person_key,
    resolve_all,
    rewrite,
    surname_of,
)


def person(name: str, label: str = "PERSON") -> Event:
    return {"entity_id": entity_id(name, label), "name": name, "label": label, "title": None, "mentions": []}


def article(article_id: str, names: list[str], speaker: str | None = None, label: str = "PERSON") -> Event:
    """An enriched event with one PERSON entity per name and one quote said by `speaker`."""
    entities = [person(n, label) for n in names]
    quotes = []
    if speaker is not None:
        sid = entity_id(speaker, label)
        mention = {"text": speaker, "start": 0, "end": len(speaker)}
        quotes.append(
            {"quote_id": "q1", "speakers": [{"name": speaker, "entity_id": sid, "title": None, "mention": mention}]}
        )
    return {"article_id": article_id, "entities": entities, "quotes": quotes}


def test_person_key_drops_honorifics_and_middle_initials_but_keeps_suffixes() -> None:
    assert person_key("Donald J. Trump") == "Donald Trump"
    assert person_key("Mr. Donald Trump") == "Donald Trump"
    assert person_key("Mr. Trump") == "Trump"
    assert person_key("George H. W. Bush") == "George Bush"
    assert person_key("Donald Trump Jr.") == "Donald Trump Jr."
    assert person_key("Melania Trump") == "Melania Trump"


def test_surname_of_a_full_name_only() -> None:
    assert surname_of("Donald J. Trump") == "Trump"
    assert surname_of("Trump") is None
    assert surname_of("Donald Trump Jr.") is None  # a name of its own, never a bare "Trump"
    assert surname_of("J.K. Rowling") == "Rowling"
    assert surname_of("Conan O'Brien") == "O'Brien"


def test_what_ner_calls_a_person_but_is_no_name_owns_no_surname() -> None:
    assert surname_of("Donald Trump’s America") is None  # a possessive
    assert surname_of("Indiana GOP") is None  # an acronym
    assert surname_of("Steve Israel") is None  # a place: a bare "Israel" is never him


def test_a_bare_surname_takes_the_full_name_seen_before() -> None:
    known = KnownPeople()
    first = known.resolve(article("a1", ["Donald Trump"], speaker="Donald Trump"))
    second = known.resolve(article("a2", ["Trump"], speaker="Trump"))
    trump = entity_id("Donald Trump", "PERSON")
    assert first["entities"][0]["entity_id"] == trump
    assert second["entities"][0]["name"] == "Donald Trump"
    assert second["entities"][0]["entity_id"] == trump
    speaker = second["quotes"][0]["speakers"][0]
    assert (speaker["name"], speaker["entity_id"]) == ("Donald Trump", trump)
    assert speaker["mention"]["text"] == "Trump"  # where the speaker stands is unchanged


def test_the_input_event_is_not_changed() -> None:
    known = KnownPeople()
    known.learn(article("a1", ["Donald Trump"]))
    event = article("a2", ["Trump"], speaker="Trump")
    known.resolve(event)
    assert event["entities"][0]["name"] == "Trump"
    assert event["quotes"][0]["speakers"][0]["entity_id"] == entity_id("Trump", "PERSON")


def test_an_article_is_rewritten_with_what_came_before_it_only() -> None:
    known = KnownPeople()
    first = known.resolve(article("a1", ["Trump"]))
    assert first["entities"][0]["name"] == "Trump"  # nothing known yet
    known.resolve(article("a2", ["Donald Trump"]))
    third = known.resolve(article("a3", ["Trump"]))
    assert third["entities"][0]["name"] == "Donald Trump"


def test_a_surname_no_one_dominates_stays_as_written() -> None:
    known = KnownPeople()
    for event in (article("a1", ["Hillary Clinton"]), article("a2", ["Bill Clinton"])):
        known.learn(event)
    assert known.owner("Clinton") is None
    resolved = known.resolve(article("a3", ["Clinton"]))
    assert resolved["entities"][0]["name"] == "Clinton"
    assert resolved["entities"][0]["entity_id"] == entity_id("Clinton", "PERSON")


def test_a_dominant_full_name_wins_its_surname() -> None:
    known = KnownPeople()
    for index in range(7):
        known.learn(article(f"h{index}", ["Hillary Clinton"]))
    for index in range(3):
        known.learn(article(f"b{index}", ["Bill Clinton"]))
    assert known.by_surname["Clinton"] == {"Hillary Clinton": 7, "Bill Clinton": 3}
    assert known.owner("Clinton") == "Hillary Clinton"


def test_an_article_counts_a_full_name_once() -> None:
    known = KnownPeople()
    known.learn(article("a1", ["Donald Trump", "Donald Trump", "Melania Trump"]))
    assert known.by_surname == {"Trump": {"Donald Trump": 1, "Melania Trump": 1}}


def test_a_suffixed_name_is_not_the_owner_of_the_surname() -> None:
    known = KnownPeople()
    known.learn(article("a1", ["Donald Trump Jr."]))
    assert known.by_surname == {}
    assert known.owner("Trump") is None


def test_only_bare_person_names_are_rewritten() -> None:
    known = KnownPeople()
    known.learn(article("a1", ["Donald Trump"]))
    org = known.resolve(article("a2", ["Trump"], label="ORG"))
    assert org["entities"][0]["name"] == "Trump"
    assert org["entities"][0]["label"] == "ORG"
    melania = known.resolve(article("a3", ["Melania Trump"]))
    assert melania["entities"][0]["name"] == "Melania Trump"


def test_dominant_needs_the_share() -> None:
    assert dominant({"Hillary Clinton": 7, "Bill Clinton": 3}) == "Hillary Clinton"
    assert dominant({"Hillary Clinton": 6, "Bill Clinton": 4}) is None
    assert dominant({}) is None
    assert dominant(None) is None


def test_rewrite_with_no_owner_returns_the_same_event() -> None:
    event = article("a1", ["Trump"], speaker="Trump")
    assert rewrite(event, lambda surname: None) is event


def test_resolve_all_keeps_one_index_over_the_run() -> None:
    events = [article("a1", ["Donald Trump"]), article("a2", ["Trump"], speaker="Trump")]
    resolved = list(resolve_all(events))
    assert [e["entities"][0]["name"] for e in resolved] == ["Donald Trump", "Donald Trump"]
    assert resolved[1]["quotes"][0]["speakers"][0]["entity_id"] == entity_id("Donald Trump", "PERSON")


def test_a_view_shows_the_most_frequent_title_not_the_latest() -> None:
    counts = None
    for title in ("Secretary of State", None, "Democratic nominee", "Democratic nominee", "Secretary of State"):
        counts = count_title(counts, title)
    counts = count_title(counts, "former Secretary of State")
    assert counts == {"Secretary of State": 2, "Democratic nominee": 2, "former Secretary of State": 1}
    assert main_title(counts) == "Secretary of State"  # tied with a later one: the earliest seen wins


def test_title_counts_stay_bounded_and_a_late_title_can_still_rise() -> None:
    counts = count_title(None, "senator")
    counts = count_title(counts, "senator")
    counts = count_title(counts, "candidate")
    counts = count_title(counts, "nominee", keep=2)  # full: takes the least counted one's place
    assert counts == {"senator": 2, "nominee": 2}
    counts = count_title(counts, "nominee", keep=2)
    assert main_title(counts) == "nominee"
    assert main_title(None) is None
    assert main_title({}) is None


class Table(dict[str, Mapping[str, int]]):
    """A stand-in for a Faust table: records every assignment (what its changelog would carry)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, dict[str, int]]] = []

    def __setitem__(self, key: str, value: Mapping[str, int]) -> None:
        self.writes.append((key, dict(value)))
        super().__setitem__(key, value)


def test_known_people_over_a_table_assigns_new_values_never_changes_them_in_place() -> None:
    table = Table()
    known = KnownPeople(by_surname=table)
    known.learn(article("a1", ["Donald Trump"]))
    before = table["Trump"]
    known.learn(article("a2", ["Donald Trump", "Melania Trump"]))
    assert before == {"Donald Trump": 1}  # the earlier value is untouched
    assert table.writes == [
        ("Trump", {"Donald Trump": 1}),
        ("Trump", {"Donald Trump": 2}),
        ("Trump", {"Donald Trump": 2, "Melania Trump": 1}),
    ]
    assert known.owner("Trump") is None  # 2 of 3 articles: under the 70% share


def test_lessons_are_surname_and_full_name_once_per_article() -> None:
    event = article("a1", ["Donald J. Trump", "Donald J. Trump", "Donald Trump Jr.", "Trump", "Indiana GOP"])
    assert lessons(event) == [("Trump", "Donald Trump")]


def test_counted_keeps_the_most_frequent_within_its_bound() -> None:
    counts = counted(None, "Hillary Clinton", 2)
    counts = counted(counts, "Hillary Clinton", 2)
    counts = counted(counts, "Bill Clinton", 2)
    counts = counted(counts, "Chelsea Clinton", 2)  # takes the place of the least counted
    assert counts == {"Hillary Clinton": 2, "Chelsea Clinton": 2}
