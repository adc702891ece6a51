"""Quote extraction benchmark against PolNeAR-style gold attributions (evaluation only).

The scoring rule is the one in the gold data's README:

- a predicted quote matches a gold attribution when the Jaccard overlap of the *alphanumeric*
  characters of the predicted span and of the gold content fragments is at least a threshold
  (0.5 and 0.8 are reported); matching is one-to-one, best overlap first;
- precision = matched predictions / predictions, matching against every gold attribution with content;
- recall = matched speech attributions / speech attributions;
- a speaker is right when one of the quote's speakers has a mention overlapping the gold source span,
  or a name sharing a content word with the gold source text; attributed F1 counts a quote only when
  its speaker is right too. A gold attribution without a source cannot be judged: its match counts as
  attributed (only non-speech attributions lack a source, so this touches precision only).

    python -m streams.evaluate quotes /work/shared/data/polnear/dev.jsonl --errors /tmp/errors.jsonl
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

#: Opening and closing quotation marks, for the gold kind (single marks only where they cannot be
#: apostrophes: an opening ‘ before the content, a closing ’ after it).
_OPEN_MARKS = frozenset('"“”«»„‟‹›‘')
_CLOSE_MARKS = frozenset('"“”«»„‟‹›’')
_ALL_MARKS = frozenset('"“”«»„‟‹›')
_PUNCT = ".,;:!?…)"

THRESHOLDS = (0.5, 0.8)
METRICS = ("precision", "recall", "f1", "speaker_accuracy", "attributed_f1")
KINDS = ("direct", "mixed", "indirect")

Span = tuple[int, int]


# ---------------------------------------------------------------------------------------------------
# Records the scorer works on: plain offsets, so that any extractor can be scored.


@dataclass(frozen=True, slots=True)
class Gold:
    content: tuple[Span, ...]
    source: tuple[Span, ...] | None
    speech: bool
    kind: str


@dataclass(frozen=True, slots=True)
class Prediction:
    start: int
    end: int
    kind: str
    #: Character spans where a speaker stands (mentions) and the speakers' canonical names.
    speaker_spans: tuple[Span, ...] = ()
    speaker_names: tuple[str, ...] = ()


@dataclass(slots=True)
class Counts:
    predicted: int = 0
    matched: int = 0
    matched_attributed: int = 0
    speech: int = 0
    speech_matched: int = 0
    speech_attributed: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scores(self) -> dict[str, float]:
        precision = _ratio(self.matched, self.predicted)
        recall = _ratio(self.speech_matched, self.speech)
        a_precision = _ratio(self.matched_attributed, self.predicted)
        a_recall = _ratio(self.speech_attributed, self.speech)
        return {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "speaker_accuracy": _ratio(self.speech_attributed, self.speech_matched),
            "attributed_f1": _f1(a_precision, a_recall),
        }


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ---------------------------------------------------------------------------------------------------
# Pure scoring


def alnum_positions(text: str, spans: Iterable[Span]) -> frozenset[int]:
    """Positions of alphanumeric characters in the spans: punctuation and spacing never count."""
    return frozenset(i for start, end in spans for i in range(max(start, 0), min(end, len(text))) if text[i].isalnum())


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def gold_kind(text: str, content: Sequence[Span]) -> str:
    """direct: quote marks at or right next to both ends; mixed: marks inside; indirect: no marks.

    "Right next to" means adjacent, or separated by punctuation only (`fail,"`), never by a space: a
    space would let the next quote's opening mark pass for this one's closing mark.
    """
    start, end = content[0][0], content[-1][1]
    inner = text[start:end]
    stripped = inner.strip()
    opens = stripped[:1] in _OPEN_MARKS or text[max(0, start - 1) : start] in _OPEN_MARKS
    tail = stripped.rstrip(_PUNCT)
    after = text[end : end + 3].lstrip(_PUNCT)
    closes = stripped[-1:] in _CLOSE_MARKS or tail[-1:] in _CLOSE_MARKS or after[:1] in _CLOSE_MARKS
    if opens and closes:
        return "direct"
    if opens or closes or any(ch in _ALL_MARKS for ch in inner):
        return "mixed"
    return "indirect"


_STOP: frozenset[str] | None = None


def content_words(text: str) -> set[str]:
    global _STOP
    if _STOP is None:
        from spacy.lang.en.stop_words import STOP_WORDS

        _STOP = frozenset(STOP_WORDS)
    return {w for w in re.findall(r"\w+", text.casefold()) if w not in _STOP and not w.isdigit()}


def speaker_right(text: str, prediction: Prediction, gold: Gold) -> bool:
    if gold.source is None:
        return True  # not judgeable: see the module docstring
    if any(s < ge and gs < e for s, e in prediction.speaker_spans for gs, ge in gold.source):
        return True
    gold_words = content_words(" ".join(text[s:e] for s, e in gold.source))
    return any(content_words(name) & gold_words for name in prediction.speaker_names)


def match(
    text: str, predictions: Sequence[Prediction], golds: Sequence[Gold], threshold: float
) -> list[tuple[int, int, float]]:
    """One-to-one matching, best overlap first: (prediction index, gold index, jaccard)."""
    pred_sets = [alnum_positions(text, [(p.start, p.end)]) for p in predictions]
    gold_sets = [alnum_positions(text, g.content) for g in golds]
    pairs = []
    for i, ps in enumerate(pred_sets):
        for j, gs in enumerate(gold_sets):
            if ps & gs:
                score = jaccard(ps, gs)
                if score >= threshold:
                    pairs.append((score, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    result = []
    for score, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            result.append((i, j, score))
    return result


@dataclass(slots=True)
class DocScore:
    overall: Counts
    by_kind: dict[str, Counts]
    matches: list[tuple[int, int, float]]


def score_doc(text: str, predictions: Sequence[Prediction], golds: Sequence[Gold], threshold: float) -> DocScore:
    """Counts for one article: overall, and by kind (recall by gold kind, precision by predicted kind)."""
    overall = Counts()
    by_kind = {k: Counts() for k in KINDS}
    matches = match(text, predictions, golds, threshold)
    overall.predicted = len(predictions)
    for p in predictions:
        by_kind.setdefault(p.kind, Counts()).predicted += 1
    for g in golds:
        if g.speech:
            overall.speech += 1
            by_kind[g.kind].speech += 1
    for i, j, _ in matches:
        p, g = predictions[i], golds[j]
        right = speaker_right(text, p, g)
        pk = by_kind.setdefault(p.kind, Counts())
        overall.matched += 1
        pk.matched += 1
        if right:
            overall.matched_attributed += 1
            pk.matched_attributed += 1
        if g.speech:
            gk = by_kind[g.kind]
            overall.speech_matched += 1
            gk.speech_matched += 1
            if right:
                overall.speech_attributed += 1
                gk.speech_attributed += 1
    return DocScore(overall, by_kind, matches)


# ---------------------------------------------------------------------------------------------------
# Reading gold, running extractors


@dataclass(slots=True)
class Article:
    id: str
    text: str
    golds: list[Gold] = field(default_factory=list)


def read_gold(path: Path, limit: int | None = None) -> list[Article]:
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and len(articles) >= limit:
                break
            if not line.strip():
                continue
            row = json.loads(line)
            text = row["text"]
            golds = [
                Gold(
                    content=tuple(tuple(s) for s in a["content"]),
                    source=tuple(tuple(s) for s in a["source"]) if a.get("source") else None,
                    speech=bool(a.get("speech")),
                    kind=gold_kind(text, a["content"]),
                )
                for a in row["attributions"]
                if a.get("content")
            ]
            articles.append(Article(row["id"], text, golds))
    return articles


def ours(doc: Any) -> list[Prediction]:
    """The project's own quotes, as left on the Doc by the pipeline."""
    return [
        Prediction(
            q.start,
            q.end,
            q.kind,
            tuple((s.mention.start, s.mention.end) for s in q.speakers)
            + tuple((m.start, m.end) for m in q.speaker_mentions),
            tuple(s.name for s in q.speakers),
        )
        for q in doc._.quotes or ()
    ]


def textacy_quotes(doc: Any) -> list[Prediction]:
    """textacy's `direct_quotations` on the same Doc; it refuses docs with an odd number of marks."""
    from textacy.extract.triples import direct_quotations

    try:
        triples = list(direct_quotations(doc))
    except ValueError:
        return []
    predictions = []
    for triple in triples:
        speaker = triple.speaker
        spans = ((speaker[0].idx, speaker[-1].idx + len(speaker[-1])),) if speaker else ()
        name = " ".join(t.text for t in speaker)
        content = triple.content
        predictions.append(Prediction(content.start_char, content.end_char, "direct", spans, (name,)))
    return predictions


EXTRACTORS = {"ours": ours, "textacy": textacy_quotes}


@dataclass(slots=True)
class Report:
    #: extractor -> threshold -> "all" or kind -> Counts
    counts: dict[str, dict[float, dict[str, Counts]]]
    words: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "scores": {
                name: {
                    str(t): {
                        k: {**asdict(c), **{m: round(v, 4) for m, v in c.scores().items()}} for k, c in per.items()
                    }
                    for t, per in by_t.items()
                }
                for name, by_t in self.counts.items()
            },
        }


def error_record(article: Article, text: str, predictions: Sequence[Prediction], result: DocScore) -> dict[str, Any]:
    """Missed speech attributions, spurious predictions and wrong speakers of one article."""
    matched_p = {i for i, _, _ in result.matches}
    matched_g = {j for _, j, _ in result.matches}

    def gold_json(g: Gold) -> dict[str, Any]:
        return {
            "content": " | ".join(text[s:e] for s, e in g.content),
            "offsets": g.content,
            "kind": g.kind,
            "source": " | ".join(text[s:e] for s, e in g.source) if g.source else None,
        }

    def pred_json(p: Prediction) -> dict[str, Any]:
        return {
            "content": text[p.start : p.end],
            "offsets": (p.start, p.end),
            "kind": p.kind,
            "speakers": list(p.speaker_names),
            "mentions": [text[s:e] for s, e in p.speaker_spans],
        }

    wrong = [
        {"prediction": pred_json(predictions[i]), "gold": gold_json(article.golds[j]), "jaccard": round(s, 3)}
        for i, j, s in result.matches
        if not speaker_right(text, predictions[i], article.golds[j])
    ]
    return {
        "id": article.id,
        "missed": [gold_json(g) for j, g in enumerate(article.golds) if g.speech and j not in matched_g],
        "spurious": [pred_json(p) for i, p in enumerate(predictions) if i not in matched_p],
        "wrong_speaker": wrong,
    }


def evaluate(
    articles: Sequence[Article],
    model: str | None = None,
    with_textacy: bool = True,
    errors: Path | None = None,
    batch_size: int = 8,
) -> Report:
    """Parse each article once with the project's pipeline; score ours (and textacy's) on the same Doc."""
    import streams.nlp

    nlp = streams.nlp.load(model)
    extractors = {k: v for k, v in EXTRACTORS.items() if with_textacy or k != "textacy"}
    counts = {name: {t: {"all": Counts(), **{k: Counts() for k in KINDS}} for t in THRESHOLDS} for name in extractors}
    words = 0
    started = time.perf_counter()
    error_file = errors.open("w", encoding="utf-8") if errors else None
    try:
        pairs = nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=batch_size)
        for doc, article in pairs:
            words += sum(1 for t in doc if not (t.is_punct or t.is_space))
            for name, extract in extractors.items():
                predictions = extract(doc)
                for t in THRESHOLDS:
                    result = score_doc(doc.text, predictions, article.golds, t)
                    counts[name][t]["all"].add(result.overall)
                    for kind, c in result.by_kind.items():
                        counts[name][t].setdefault(kind, Counts()).add(c)
                    if error_file and name == "ours" and t == THRESHOLDS[0]:
                        record = error_record(article, doc.text, predictions, result)
                        error_file.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if error_file:
            error_file.close()
    return Report(counts, words, time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------------
# Command line


def render(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.width = max(console.width, 100)  # pipes default to 80 columns: keep the figures whole
    for threshold in THRESHOLDS:
        table = Table(title=f"Quotes, Jaccard >= {threshold}")
        for column in ("extractor", "kind", "pred", "gold", "P", "R", "F1", "speaker", "attr F1"):
            left = column in ("extractor", "kind")
            table.add_column(column, justify="left" if left else "right", no_wrap=True)
        for name, by_t in report.counts.items():
            for kind in ("all", *KINDS):
                c = by_t[threshold][kind]
                s = c.scores()
                table.add_row(
                    name,
                    kind,
                    str(c.predicted),
                    str(c.speech),
                    *(f"{s[m]:.3f}" for m in METRICS),
                )
        console.print(table)
    rate = report.words / report.seconds if report.seconds else 0.0
    console.print(f"{report.words} words in {report.seconds:.1f}s ({rate:,.0f} words/s, parse and extraction)")


eval_app = typer.Typer(help="Benchmarks against gold annotations.", no_args_is_help=True)


@eval_app.callback()
def _eval() -> None:
    """Benchmarks against gold annotations."""


@eval_app.command("quotes")
def quotes_command(
    gold: Annotated[Path, typer.Argument(help="gold JSON lines (PolNeAR format)", exists=True, dir_okay=False)],
    model: Annotated[str | None, typer.Option(help="spaCy model package or path")] = None,
    limit: Annotated[int | None, typer.Option(help="score only the first N articles")] = None,
    errors: Annotated[Path | None, typer.Option(help="write per-article errors (JSON lines) here")] = None,
    textacy: Annotated[bool, typer.Option("--textacy/--no-textacy", help="also score textacy")] = True,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the scores as JSON here")] = None,
) -> None:
    """Precision, recall, F1, speaker accuracy and attributed F1 of quote extraction, by kind."""
    if textacy:
        try:
            import textacy as _textacy  # noqa: F401
        except ImportError:
            typer.echo("textacy is not installed (pip install '.[bench]'): scoring ours only", err=True)
            textacy = False
    report = evaluate(read_gold(gold, limit), model=model, with_textacy=textacy, errors=errors)
    render(report)
    if json_path:
        json_path.write_text(json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    eval_app()
