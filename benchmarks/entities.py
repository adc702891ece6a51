"""Entity labels and spans on CoNLL-2003 dev, and person identity on PolNeAR (`make bench-entities`).

python benchmarks/entities.py [--conll PATH] [--polnear DIR] [--cache DIR] [--model M] [--json PATH]

Each corpus is parsed once by the model (with `streams_paragraphs`, which the parse reads) and cached as
a DocBin under `--cache` (default: the system's temporary directory, never the project); later runs
only rerun our components (`streams_entities`, `streams_quotes`, `streams_speakers`) on the cached Docs.

CoNLL dev, scored by the rule of its README: every mention of every entity is one span, labels mapped
to CoNLL's, a leading "the " dropped on both sides, exact match. Ours against bare `doc.ents`.

PolNeAR dev + train, enriched in one run, then passed article by article through
`streams.people.KnownPeople` (what `streams enrich` does); printed:
- persons split by middle initials or honorifics: PERSON names that reduce to one (first, last) key
  (honorifics and middle initials dropped) but carry different ids;
- speaker names ending in an inflected reporting verb ("Obama Says", "Marco Rubio Tells");
- the share of PERSON speakers' quotes on their person's main id. A person is a full name reduced as
  above (a longer name ending in another's full name is that person: "Billionaire Donald Trump"); a
  bare surname counts for the person who owns most of that surname's quotes in the run;
  the main id is the id most of the person's quotes carry;
- speaker labels: the share of gold-matched quote speakers whose entity label is the label its name
  gets in most articles of the run (a consistency check: PolNeAR has no entity labels);
- the cost of our components against the model's parse time.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from streams import events, nlp
from streams.events import Article
from streams.nlp.entities import reporting_verb_forms
from streams.people import KnownPeople, person_key
from streams.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / ".." / "shared" / "data"
CONLL_LABELS = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}
LABELS = ("PER", "LOC", "ORG", "MISC")
#: Speakers whose names may end in a headline verb: places ("United States") never do.
NAMED_SPEAKERS = frozenset({"PERSON", "ORG"})
OUR_COMPONENTS = ("streams_entities", "streams_quotes", "streams_speakers")

Span = tuple[int, int, str]


# --- parsing once ------------------------------------------------------------------------------------


def model_pipeline(model: str) -> Language:
    """The model with our paragraph marks (the parse reads them), without our later components."""
    pipeline = nlp.load(model)
    for name in OUR_COMPONENTS:
        pipeline.remove_pipe(name)
    return pipeline


def cached_docs(name: str, texts: Sequence[str], model: str, cache: Path) -> tuple[list[Doc], float]:
    """The parsed Docs of `texts` and the seconds the parse took (measured once, stored with them)."""
    digest = hashlib.sha1("\x1e".join([model, *texts]).encode()).hexdigest()[:12]
    path, timing = cache / f"{name}-{digest}.spacy", cache / f"{name}-{digest}.json"
    pipeline = model_pipeline(model)
    if path.exists() and timing.exists():
        docs = list(DocBin().from_disk(path).get_docs(pipeline.vocab))
        return docs, json.loads(timing.read_text())["parse_seconds"]
    cache.mkdir(parents=True, exist_ok=True)
    started = time.process_time()
    docs = list(pipeline.pipe(texts, batch_size=16))
    seconds = time.process_time() - started
    DocBin(store_user_data=False, docs=docs).to_disk(path)
    timing.write_text(json.dumps({"parse_seconds": seconds}))
    return docs, seconds


#: Articles parsed again at run time to compare our components with the parse under the same load.
COST_SAMPLE = 100


def cost_now(model: str, texts: Sequence[str]) -> dict[str, float]:
    """CPU seconds of the model's parse and of each of our components on the same articles, measured
    one after the other (the machine's load changes the figures, not much their ratio)."""
    parser = model_pipeline(model)
    started = time.process_time()
    docs = list(parser.pipe(texts, batch_size=16))
    seconds = {"parse": time.process_time() - started}
    pipeline = nlp.load(model)
    for name in OUR_COMPONENTS:
        docs, seconds[name] = run_ours(pipeline, docs, (name,))
    return {name: round(value, 2) for name, value in seconds.items()}


def run_ours(pipeline: Language, docs: Sequence[Doc], names: Sequence[str]) -> tuple[list[Doc], float]:
    """Our components on parsed Docs, and their CPU seconds.

    The objects alive before (the model, the parsed Docs) are frozen out of the garbage collector's
    scans first: a worker's long-lived heap is the model's, not a corpus of Docs, and a full collection
    over them would be charged to whichever component happens to trigger it.
    """
    components = [pipeline.get_pipe(name) for name in names]
    gc.collect()
    gc.freeze()
    started = time.process_time()
    done = []
    for doc in docs:
        for component in components:
            doc = component(doc)
        done.append(doc)
    spent = time.process_time() - started
    gc.unfreeze()
    return done, spent


# --- CoNLL ---------------------------------------------------------------------------------------------


def drop_the(text: str, start: int, end: int) -> int:
    return start + 4 if text[start:end].startswith(("the ", "The ")) else start


def mapped(text: str, spans: Iterable[tuple[int, int, str]]) -> set[Span]:
    out = set()
    for start, end, label in spans:
        if label in CONLL_LABELS:
            out.add((drop_the(text, start, end), end, CONLL_LABELS[label]))
    return out


def our_spans(doc: Doc) -> set[Span]:
    return mapped(doc.text, ((m.start, m.end, e.label) for e in doc._.entities for m in e.mentions))


def bare_spans(doc: Doc) -> set[Span]:
    return mapped(doc.text, ((e.start_char, e.end_char, e.label_) for e in doc.ents))


def conll_gold(text: str, entities: list[dict[str, Any]]) -> set[Span]:
    return {(drop_the(text, e["start"], e["end"]), e["end"], e["label"]) for e in entities}


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def conll_scores(predicted: Sequence[set[Span]], golds: Sequence[set[Span]]) -> dict[str, Any]:
    scores: dict[str, Any] = {}
    for label in (None, *LABELS):
        tp = pred = gold = 0
        for p_spans, g_spans in zip(predicted, golds, strict=True):
            p_set = {s for s in p_spans if label in (None, s[2])}
            g_set = {s for s in g_spans if label in (None, s[2])}
            tp, pred, gold = tp + len(p_set & g_set), pred + len(p_set), gold + len(g_set)
        p, r, f = prf(tp, pred, gold)
        scores[label or "all"] = {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3)}
    return scores


def conll(path: Path, model: str, cache: Path) -> dict[str, Any]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    docs, parse_seconds = cached_docs("conll-dev", [r["text"] for r in rows], model, cache)
    pipeline = nlp.load(model)
    docs, ours_seconds = run_ours(pipeline, docs, ("streams_entities",))
    golds = [conll_gold(r["text"], r["entities"]) for r in rows]
    return {
        "ours": conll_scores([our_spans(d) for d in docs], golds),
        "bare": conll_scores([bare_spans(d) for d in docs], golds),
        "parse_seconds": round(parse_seconds, 2),
        "entities_seconds": round(ours_seconds, 2),
    }


def print_conll(report: dict[str, Any]) -> None:
    print("CoNLL-2003 dev, entity spans (exact, labels mapped to CoNLL's)")
    print(f"  {'system':<6} {'P':>6} {'R':>6} {'F1':>6}   " + "  ".join(f"{x:>5}" for x in LABELS))
    for system in ("bare", "ours"):
        s = report[system]
        per_label = "  ".join(f"{s[x]['f1']:>5.3f}" for x in LABELS)
        print(f"  {system:<6} {s['all']['p']:>6.3f} {s['all']['r']:>6.3f} {s['all']['f1']:>6.3f}   {per_label}")
    print(f"  entities component {report['entities_seconds']} s CPU vs parse {report['parse_seconds']} s")


# --- PolNeAR -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attributed:
    """One quote speaker of the run, after the cross-article rewrite."""

    article: int
    name: str
    entity_id: str | None
    label: str | None
    gold_matched: bool


def gold_sources(row: dict[str, Any]) -> list[tuple[int, int]]:
    return [tuple(s) for a in row["attributions"] if a.get("source") for s in a["source"]]


def enriched_events(rows: Sequence[dict[str, Any]], docs: Sequence[Doc], model: str) -> list[events.Event]:
    out = []
    for row, doc in zip(rows, docs, strict=True):
        article = Article(row["id"], row["text"], title=row.get("title"), source=row.get("source"))
        out.append(events.enriched_event(article, doc, model))
    return out


def speakers_of(enriched: Sequence[events.Event], rows: Sequence[dict[str, Any]]) -> list[Attributed]:
    found = []
    for index, (event, row) in enumerate(zip(enriched, rows, strict=True)):
        labels = {e["entity_id"]: e["label"] for e in event["entities"]}
        sources = gold_sources(row)
        for quote in event["quotes"]:
            for s in quote["speakers"]:
                m = s["mention"]
                matched = any(a < m["end"] and m["start"] < b for a, b in sources)
                found.append(Attributed(index, s["name"], s["entity_id"], labels.get(s["entity_id"]), matched))
    return found


def split_persons(enriched: Sequence[events.Event]) -> list[list[str]]:
    """PERSON names of the run that reduce to one key but carry more than one id."""
    ids: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for event in enriched:
        for e in event["entities"]:
            key = person_key(e["name"]) if e["label"] == "PERSON" else None
            if key:
                ids[key].add(e["entity_id"])
                names[key].add(e["name"])
    return [sorted(names[k]) for k in sorted(ids) if len(ids[k]) > 1]


def within(key: str, keys: set[str]) -> str:
    """The person a longer name holds ("Billionaire Donald Trump" -> "Donald Trump"), else the key."""
    words = key.split()
    for n in range(len(words) - 1, 1, -1):
        if (tail := " ".join(words[-n:])) in keys:
            return tail
    return key


def main_id_share(speakers: Sequence[Attributed]) -> tuple[float, int, list[tuple[str, int, int]]]:
    """Share of PERSON speakers' quotes on their person's main id, the count, the worst persons."""
    people = [s for s in speakers if s.label == "PERSON" and s.entity_id]
    keys = {person_key(s.name) for s in people}
    keyed = [(within(person_key(s.name), keys), s) for s in people]
    surname_owner: dict[str, Counter[str]] = defaultdict(Counter)
    for key, _ in keyed:
        if " " in key:
            surname_owner[key.split()[-1]][key] += 1
    by_person: dict[str, Counter[str]] = defaultdict(Counter)
    for key, s in keyed:
        if " " not in key and surname_owner.get(key):
            key = surname_owner[key].most_common(1)[0][0]
        by_person[key][s.entity_id] += 1
    on_main = sum(c.most_common(1)[0][1] for c in by_person.values())
    total = sum(c.total() for c in by_person.values())
    worst = sorted(
        ((k, c.total() - c.most_common(1)[0][1], c.total()) for k, c in by_person.items()), key=lambda x: -x[1]
    )
    return (on_main / total if total else 1.0), total, [w for w in worst[:8] if w[1]]


def label_consistency(enriched: Sequence[events.Event], speakers: Sequence[Attributed]) -> tuple[float, int]:
    """Share of gold-matched named speakers whose label is the one their name gets in most articles."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for event in enriched:
        for e in event["entities"]:
            votes[e["name"]][e["label"]] += 1
    judged = [s for s in speakers if s.gold_matched and s.label]
    right = sum(1 for s in judged if votes[s.name].most_common(1)[0][0] == s.label)
    return (right / len(judged) if judged else 1.0), len(judged)


def polnear(directory: Path, model: str, cache: Path) -> dict[str, Any]:
    rows = []
    for part in ("dev", "train"):
        rows += [json.loads(line) for line in (directory / f"{part}.jsonl").open(encoding="utf-8") if line.strip()]
    docs, parse_seconds = cached_docs("polnear-dev-train", [r["text"] for r in rows], model, cache)
    for doc, row in zip(docs, rows, strict=True):
        doc._.title = row.get("title")
    pipeline = nlp.load(model)
    docs, ours_seconds = run_ours(pipeline, docs, OUR_COMPONENTS)
    enriched = enriched_events(rows, docs, model)
    before_share, _, _ = main_id_share(speakers_of(enriched, rows))
    known = KnownPeople()
    started = time.process_time()
    enriched = [known.resolve(event) for event in enriched]
    people_seconds = time.process_time() - started
    speakers = speakers_of(enriched, rows)
    share, count, worst = main_id_share(speakers)
    verbs = reporting_verb_forms()
    verb_names = Counter(s.name for s in speakers if s.label in NAMED_SPEAKERS and s.name.split()[-1].lower() in verbs)
    consistency, judged = label_consistency(enriched, speakers)
    return {
        "articles": len(rows),
        "split_persons": split_persons(enriched),
        "speaker_names_ending_in_a_verb": dict(verb_names),
        "person_quotes": count,
        "on_main_id": round(share, 4),
        "on_main_id_without_known_people": round(before_share, 4),
        "worst_persons": worst,
        "speaker_label_consistency": round(consistency, 4),
        "speakers_judged": judged,
        "parse_seconds": round(parse_seconds, 2),
        "components_seconds": round(ours_seconds, 2),
        "cost_sample": cost_now(model, [r["text"] for r in rows[:COST_SAMPLE]]),
        "known_people_seconds": round(people_seconds, 2),
    }


def print_polnear(report: dict[str, Any]) -> None:
    print(f"\nPolNeAR dev + train, {report['articles']} articles enriched in one run")
    print(f"  persons split by middle initials or honorifics: {len(report['split_persons'])}")
    for names in report["split_persons"][:10]:
        print(f"    {' | '.join(names)}")
    verbs = report["speaker_names_ending_in_a_verb"]
    print(f"  speaker names ending in a reporting verb: {sum(verbs.values())} {sorted(verbs)[:10]}")
    print(
        f"  PERSON speakers' quotes on their person's main id: {report['on_main_id']:.2%} of"
        f" {report['person_quotes']} (without KnownPeople {report['on_main_id_without_known_people']:.2%})"
    )
    for key, off, total in report["worst_persons"]:
        print(f"    {key}: {off} of {total} off the main id")
    print(
        f"  speaker label = the label its name gets in most articles: {report['speaker_label_consistency']:.2%}"
        f" of {report['speakers_judged']} gold-matched speakers"
    )
    print(f"  our components {report['components_seconds']} s CPU, KnownPeople {report['known_people_seconds']} s")
    cost = report["cost_sample"]
    ours = {name: seconds for name, seconds in cost.items() if name != "parse"}
    shares = ", ".join(f"{name} {seconds / cost['parse']:.1%}" for name, seconds in ours.items())
    print(
        f"  {COST_SAMPLE} articles parsed again: parse {cost['parse']} s, our components"
        f" {sum(ours.values()) / cost['parse']:.1%} of it ({shares})"
    )


# --- cost on long articles ------------------------------------------------------------------------

#: One paragraph of the synthetic long article: two people, a place, a quote and a pronoun speaker.
PARAGRAPH = 'Angela Merkel met Emmanuel Macron in Paris on Monday. "We will win this race," she said.\n\n'
SCALES = (500, 2000)


def scaling(model: str, cache: Path) -> dict[str, Any]:
    """Seconds our components take on an article of N paragraphs, for N in SCALES: linear cost keeps
    the ratio near the ratio of the sizes."""
    texts = [PARAGRAPH * n for n in SCALES]
    docs, _ = cached_docs("scaling", texts, model, cache)
    pipeline = nlp.load(model)
    seconds: dict[str, list[float]] = {name: [] for name in OUR_COMPONENTS}
    for doc in docs:
        for name in OUR_COMPONENTS:
            _, spent = run_ours(pipeline, [doc], (name,))
            seconds[name].append(round(spent, 3))
    return {"paragraphs": list(SCALES), "seconds": seconds}


def print_scaling(report: dict[str, Any]) -> None:
    small, large = report["paragraphs"]
    print(f"\nOne article of {small} and of {large} quoted paragraphs (linear: x{large / small:.0f})")
    for name, (a, b) in report["seconds"].items():
        print(f"  {name:<18} {a:.3f} s  {b:.3f} s  x{b / a if a else 0:.1f}")


def figures_only(report: dict[str, Any]) -> dict[str, Any]:
    """The report less the names it quotes from the corpora (a results file holds figures only)."""
    kept = dict(report)
    if "polnear" in kept:
        polnear_report = dict(kept["polnear"])
        polnear_report["split_persons"] = len(polnear_report["split_persons"])
        polnear_report["speaker_names_ending_in_a_verb"] = sum(
            polnear_report["speaker_names_ending_in_a_verb"].values()
        )
        polnear_report.pop("worst_persons")
        kept["polnear"] = polnear_report
    return kept


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=SHARED / "conll2003" / "dev.jsonl")
    parser.add_argument("--polnear", type=Path, default=SHARED / "polnear")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "streams-bench-entities")
    parser.add_argument("--model", default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only", choices=("conll", "polnear", "scaling"), default=None)
    args = parser.parse_args(argv)
    model = args.model or get_settings().spacy_model
    report: dict[str, Any] = {}
    if args.only in (None, "conll"):
        report["conll"] = conll(args.conll, model, args.cache)
        print_conll(report["conll"])
    if args.only in (None, "polnear"):
        report["polnear"] = polnear(args.polnear, model, args.cache)
        print_polnear(report["polnear"])
    if args.only in (None, "scaling"):
        report["scaling"] = scaling(model, args.cache)
        print_scaling(report["scaling"])
    if args.json:
        args.json.write_text(json.dumps(figures_only(report), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
