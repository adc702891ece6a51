"""Scoring quote extraction against PolNeAR-style gold attributions (evaluation only).

The scoring rule is the one in the gold data's README:

- a predicted quote matches a gold attribution when the Jaccard overlap of the *alphanumeric*
  characters of the predicted quote (the union of its fragments) and of the gold content fragments is
  at least a threshold (0.5 and 0.8 are reported); matching is one-to-one, best overlap first;
- precision = matched predictions / predictions, matching against every gold attribution with content;
- recall = matched speech attributions / speech attributions;
- a speaker is right when one of the quote's speakers has a mention overlapping the gold source span,
  or a name sharing a content word with the gold source text; attributed F1 counts a quote only when
  its speaker is right too. A gold attribution without a source cannot be judged: its match counts as
  attributed (only non-speech attributions lack a source, so this touches precision only).

Rows: "all"; by kind (direct, mixed, indirect: precision by the predicted kind, recall by the gold kind);
and two layouts that a cue-first extractor misses, counted the same way on both sides:
- "floating": a content whose paragraph holds neither its cue nor its speaker (the quotation paragraph
  after `"...," she said.`); predicted, a quote whose paragraph holds neither its cue nor its speaker;
- "no cue": a content whose paragraph does not hold its cue (gold), a quote without a cue (predicted).

`benchmarks/quotes.py` runs the project's pipeline and renders the tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Opening and closing quotation marks, for the gold kind (single marks only where they cannot be
#: apostrophes: an opening ‘ before the content, a closing ’ after it).
_OPEN_MARKS = frozenset('"“”«»„‟‹›‘')
_CLOSE_MARKS = frozenset('"“”«»„‟‹›’')
_ALL_MARKS = frozenset('"“”«»„‟‹›')
_PUNCT = ".,;:!?…)"

THRESHOLDS = (0.5, 0.8)
METRICS = ("precision", "recall", "f1", "speaker_accuracy", "attributed_f1")
KINDS = ("direct", "mixed", "indirect")
LAYOUTS = ("floating", "no cue")
ROWS = ("all", *KINDS, *LAYOUTS)

Span = tuple[int, int]


# ---------------------------------------------------------------------------------------------------
# Records the scorer works on: plain offsets, so that any extractor can be scored.


@dataclass(frozen=True, slots=True)
class Gold:
    content: tuple[Span, ...]
    source: tuple[Span, ...] | None
    speech: bool
    kind: str
    #: The layouts of LAYOUTS this attribution has.
    layouts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Prediction:
    fragments: tuple[Span, ...]
    kind: str
    #: Character spans where a speaker stands (mentions) and the speakers' canonical names.
    speaker_spans: tuple[Span, ...] = ()
    speaker_names: tuple[str, ...] = ()
    layouts: frozenset[str] = frozenset()

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


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


def paragraph(text: str, at: int) -> Span:
    """The line holding `at` (PolNeAR's paragraphs are lines)."""
    end = text.find("\n", at)
    return text.rfind("\n", 0, at) + 1, len(text) if end < 0 else end


def _within(spans: Iterable[Span] | None, para: Span) -> bool:
    return any(para[0] <= start < para[1] for start, _ in spans or ())


def layouts(
    text: str, content: Sequence[Span], cue: Sequence[Span] | None, source: Sequence[Span] | None
) -> frozenset[str]:
    """The layouts of LAYOUTS a content has: where its cue and its speaker stand against its paragraph."""
    para = paragraph(text, content[0][0])
    found = set()
    if not _within(cue, para):
        found.add("no cue")
        if not _within(source, para):
            found.add("floating")
    return frozenset(found)


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
    pred_sets = [alnum_positions(text, p.fragments) for p in predictions]
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
    #: "all", the kinds and the layouts -> counts
    rows: dict[str, Counts]
    matches: list[tuple[int, int, float]]

    @property
    def overall(self) -> Counts:
        return self.rows["all"]


def score_doc(text: str, predictions: Sequence[Prediction], golds: Sequence[Gold], threshold: float) -> DocScore:
    """Counts for one article, by row: precision by what was predicted, recall by what the gold is."""
    rows = {row: Counts() for row in ROWS}
    matches = match(text, predictions, golds, threshold)

    def predicted_rows(p: Prediction) -> list[Counts]:
        return [rows["all"], rows[p.kind], *(rows[name] for name in p.layouts)]

    def gold_rows(g: Gold) -> list[Counts]:
        return [rows["all"], rows[g.kind], *(rows[name] for name in g.layouts)]

    for p in predictions:
        for counts in predicted_rows(p):
            counts.predicted += 1
    for g in golds:
        for counts in gold_rows(g) if g.speech else ():
            counts.speech += 1
    for i, j, _ in matches:
        p, g = predictions[i], golds[j]
        right = speaker_right(text, p, g)
        for counts in predicted_rows(p):
            counts.matched += 1
            counts.matched_attributed += right
        for counts in gold_rows(g) if g.speech else ():
            counts.speech_matched += 1
            counts.speech_attributed += right
    return DocScore(rows, matches)


# ---------------------------------------------------------------------------------------------------
# Reading gold, scoring extractors


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
                    layouts=layouts(text, a["content"], a.get("cue"), a.get("source")),
                )
                for a in row["attributions"]
                if a.get("content")
            ]
            articles.append(Article(row["id"], text, golds))
    return articles


def ours(doc: Any) -> list[Prediction]:
    """The project's own quotes, as left on the Doc by the pipeline."""
    predictions = []
    for q in doc._.quotes or ():
        spans = tuple((s.mention.start, s.mention.end) for s in q.speakers)
        spans += tuple((m.start, m.end) for m in q.speaker_mentions)
        cue = [(q.cue.start, q.cue.end)] if q.cue else None
        fragments = tuple((f.start, f.end) for f in q.fragments)
        found = layouts(doc.text, fragments, cue, spans)
        if q.cue is None:
            found |= {"no cue"}
        else:
            found -= {"no cue"}  # a cue in an earlier paragraph is still a cue: only gold counts it so
        predictions.append(Prediction(fragments, q.kind, spans, tuple(s.name for s in q.speakers), found))
    return predictions


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
        predictions.append(Prediction(((content.start_char, content.end_char),), "direct", spans, (name,)))
    return predictions


EXTRACTORS: dict[str, Callable[[Any], list[Prediction]]] = {"ours": ours, "textacy": textacy_quotes}


@dataclass(slots=True)
class Report:
    #: extractor -> threshold -> row -> Counts
    counts: dict[str, dict[float, dict[str, Counts]]]
    words: int = 0
    #: Seconds our components took after the model, and the seconds the model's parse took (when it was
    #: cached, in the run that parsed: the same machine, perhaps not the same load).
    seconds: float = 0.0
    parse_seconds: float = 0.0

    @classmethod
    def empty(cls, extractors: Iterable[str]) -> Report:
        return cls({name: {t: {row: Counts() for row in ROWS} for t in THRESHOLDS} for name in extractors})

    def add(self, extractor: str, article: Article, text: str, predictions: Sequence[Prediction]) -> dict | None:
        """Count one article's predictions; for ours, its error record (at the first threshold)."""
        record = None
        for t in THRESHOLDS:
            result = score_doc(text, predictions, article.golds, t)
            for row, counts in result.rows.items():
                self.counts[extractor][t][row].add(counts)
            if extractor == "ours" and t == THRESHOLDS[0]:
                record = error_record(article, text, predictions, result)
        return record

    def as_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "parse_seconds": round(self.parse_seconds, 2),
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
            "content": " | ".join(text[s:e] for s, e in p.fragments),
            "offsets": p.fragments,
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


def render(report: Report, title: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.width = max(console.width, 100)  # pipes default to 80 columns: keep the figures whole
    for threshold in THRESHOLDS:
        table = Table(title=f"Quotes, {title}, Jaccard >= {threshold}")
        for column in ("extractor", "row", "pred", "gold", "P", "R", "F1", "speaker", "attr F1"):
            left = column in ("extractor", "row")
            table.add_column(column, justify="left" if left else "right", no_wrap=True)
        for name, by_t in report.counts.items():
            for row in ROWS:
                c = by_t[threshold][row]
                s = c.scores()
                table.add_row(name, row, str(c.predicted), str(c.speech), *(f"{s[m]:.3f}" for m in METRICS))
        console.print(table)
    parse = "not recorded (an older cache)"
    if report.parse_seconds:
        parse = f"{report.parse_seconds:.1f}s ({report.seconds / report.parse_seconds:.1%} of it)"
    console.print(f"{title}: {report.words} words; our components {report.seconds:.1f}s, the model's parse {parse}")
