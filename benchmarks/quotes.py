"""Quote extraction against PolNeAR gold, dev and train (`make bench-quotes`).

    .venv/bin/python -m benchmarks.quotes                      # dev and train, parses cached under /tmp
    .venv/bin/python -m benchmarks.quotes --split dev --textacy --errors benchmarks/results/quote-errors.jsonl

The model's parse is the slow part and does not change while the quote rules do: each split is parsed
once (our paragraph component and the model's own) and kept as a DocBin under `--cache` (a temporary
folder, never the repository: the texts are the publishers'), with the seconds the parse took, which
the report sets against our components' time (they should stay under a tenth of it). Every run then
applies only our components
after the model (`streams_entities`, `streams_quotes`, `streams_speakers`) to the cached Docs and scores
them with `benchmarks/scoring.py`. The cache is keyed by the gold file, the model and our paragraph
component's source, so a change to any of them parses again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated

import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from benchmarks import scoring

PROJECT = Path(__file__).resolve().parent.parent
#: PolNeAR's gold files, beside the project (see its README: evaluation only).
POLNEAR = PROJECT.parent / "shared" / "data" / "polnear"
SPLITS = ("dev", "train")
CACHE = Path("/tmp/streams-quotes-cache")


def cache_key(gold: Path, model: str) -> str:
    from streams.nlp import paragraphs

    digest = hashlib.sha256()
    stat = gold.stat()
    digest.update(f"{gold.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{model}".encode())
    digest.update(inspect.getsource(paragraphs).encode())
    return digest.hexdigest()[:16]


def parsed_docs(nlp: Language, articles: Sequence[scoring.Article], path: Path) -> tuple[list[Doc], float]:
    """The model's parse of every article and the seconds it took, from the cache when it is there."""
    timing = path.with_suffix(".json")
    if path.exists():
        seconds = json.loads(timing.read_text())["parse_seconds"] if timing.exists() else 0.0
        return list(DocBin().from_disk(path).get_docs(nlp.vocab)), seconds
    import streams.nlp

    ours_after = [n for n in streams.nlp.COMPONENTS if n not in streams.nlp.BEFORE_MODEL]
    started = time.perf_counter()
    with nlp.select_pipes(disable=ours_after):
        docs = list(nlp.pipe((a.text for a in articles), batch_size=8))
    seconds = time.perf_counter() - started
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs).to_disk(path)
    timing.write_text(json.dumps({"parse_seconds": seconds}))
    return docs, seconds


def enriched(nlp: Language, docs: Sequence[Doc]) -> Iterator[tuple[Doc, float]]:
    """Our components after the model, on each cached Doc, with the seconds they took."""
    import streams.nlp

    names = [n for n in streams.nlp.COMPONENTS if n not in streams.nlp.BEFORE_MODEL]
    components = [nlp.get_pipe(n) for n in names]
    for doc in docs:
        started = time.perf_counter()
        for component in components:
            doc = component(doc)
        yield doc, time.perf_counter() - started


def run_split(
    nlp: Language, gold: Path, cache: Path, model: str, with_textacy: bool, errors: Path | None
) -> scoring.Report:
    articles = scoring.read_gold(gold)
    docs, parse_seconds = parsed_docs(nlp, articles, cache / f"{gold.stem}-{cache_key(gold, model)}.spacy")
    extractors = {k: v for k, v in scoring.EXTRACTORS.items() if with_textacy or k != "textacy"}
    report = scoring.Report.empty(extractors)
    report.parse_seconds = parse_seconds
    error_file = errors.open("w", encoding="utf-8") if errors else None
    try:
        for (doc, seconds), article in zip(enriched(nlp, docs), articles, strict=True):
            report.seconds += seconds
            report.words += sum(1 for t in doc if not (t.is_punct or t.is_space))
            for name, extract in extractors.items():
                record = report.add(name, article, doc.text, extract(doc))
                if error_file and record is not None:
                    error_file.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if error_file:
            error_file.close()
    return report


app = typer.Typer(add_completion=False)


@app.command()
def main(
    split: Annotated[list[str] | None, typer.Option(help="dev, train, or a gold JSON lines path")] = None,
    model: Annotated[str | None, typer.Option(help="spaCy model package or path")] = None,
    cache: Annotated[Path, typer.Option(help="where parsed Docs are kept (outside the repository)")] = CACHE,
    textacy: Annotated[bool, typer.Option("--textacy/--no-textacy", help="also score textacy")] = False,
    errors: Annotated[Path | None, typer.Option(help="per-article errors of the first split (JSON lines)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the scores as JSON here")] = None,
) -> None:
    """Precision, recall, F1, speaker accuracy and attributed F1 of quote extraction, by kind."""
    import streams.nlp
    from streams.settings import get_settings

    model = model or get_settings().spacy_model
    nlp = streams.nlp.load(model)
    results = {}
    for index, name in enumerate(split or SPLITS):
        gold = POLNEAR / f"{name}.jsonl" if name in SPLITS else Path(name)
        report = run_split(nlp, gold, cache, model, textacy, errors if index == 0 else None)
        scoring.render(report, title=gold.stem)
        results[gold.stem] = report.as_dict()
    if json_path:
        json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    app()
