"""The quote benchmark's scoring rule (benchmarks/scoring.py), on hand-made predictions and gold (no corpus text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.quotes import app
from benchmarks.scoring import (
    Gold,
    Prediction,
    alnum_positions,
    gold_kind,
    jaccard,
    layouts,
    match,
    read_gold,
    score_doc,
    speaker_right,
)

TEXT = 'Jane Roe said the plan would fail. "We are ready," Bob Lee said.'
#            0123456789...
INDIRECT = (TEXT.index("the plan"), TEXT.index(" would fail.") + len(" would fail"))
DIRECT = (TEXT.index('"We'), TEXT.index(" Bob"))
JANE = (0, 8)
BOB = (TEXT.index("Bob"), TEXT.index("Bob") + 7)


def gold(content: tuple[int, int], source: tuple[int, int] | None, speech: bool = True) -> Gold:
    return Gold((content,), (source,) if source else None, speech, gold_kind(TEXT, [content]))


def test_alnum_positions_ignore_punctuation_and_spaces() -> None:
    assert alnum_positions('a, "b"', [(0, 6)]) == frozenset({0, 4})


def test_jaccard() -> None:
    assert jaccard(frozenset({1, 2}), frozenset({2, 3})) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_gold_kind() -> None:
    assert gold_kind(TEXT, [DIRECT]) == "direct"
    assert gold_kind(TEXT, [INDIRECT]) == "indirect"
    text = 'He said the plan "would fail" soon.'
    assert gold_kind(text, [(8, 34)]) == "mixed"
    # Marks next to the content count: a content span without its marks is still direct.
    assert gold_kind('He said: "We win."', [(10, 17)]) == "direct"


def test_match_is_one_to_one_best_first() -> None:
    golds = [gold(INDIRECT, JANE), gold(DIRECT, BOB)]
    exact = Prediction((INDIRECT,), "indirect")
    wide = Prediction(((INDIRECT[0] - 9, INDIRECT[1]),), "indirect")
    pairs = match(TEXT, [wide, exact], golds, 0.5)
    assert [(i, j) for i, j, _ in pairs] == [(1, 0)]


def test_precision_counts_all_gold_recall_only_speech() -> None:
    golds = [gold(INDIRECT, JANE, speech=False), gold(DIRECT, BOB)]
    predictions = [Prediction((INDIRECT,), "indirect", (JANE,), ("Jane Roe",))]
    result = score_doc(TEXT, predictions, golds, 0.5)
    assert result.overall.matched == 1 and result.overall.predicted == 1
    assert result.overall.speech == 1 and result.overall.speech_matched == 0
    scores = result.overall.scores()
    assert scores["precision"] == 1.0 and scores["recall"] == 0.0


def test_speaker_right_by_overlap_or_by_shared_content_word() -> None:
    g = gold(DIRECT, BOB)
    assert speaker_right(TEXT, Prediction((DIRECT,), "direct", (BOB,), ("x",)), g)
    assert speaker_right(TEXT, Prediction((DIRECT,), "direct", (), ("Robert Lee",)), g)
    assert not speaker_right(TEXT, Prediction((DIRECT,), "direct", (JANE,), ("Jane Roe",)), g)
    assert not speaker_right(TEXT, Prediction((DIRECT,), "direct", (), ("the",)), g)


def test_by_kind_recall_uses_the_gold_kind() -> None:
    golds = [gold(DIRECT, BOB)]
    result = score_doc(TEXT, [Prediction((DIRECT,), "mixed", (BOB,), ("Bob Lee",))], golds, 0.8)
    assert result.rows["direct"].speech_matched == 1
    assert result.rows["mixed"].predicted == 1


def write_gold(path: Path) -> Path:
    row = {
        "id": "made-up-1",
        "title": "t",
        "source": "s",
        "text": TEXT,
        "attributions": [
            {"source": [list(JANE)], "cue": [[9, 13]], "content": [list(INDIRECT)], "speech": True},
            {"source": [list(BOB)], "cue": [[BOB[1] + 1, BOB[1] + 5]], "content": [list(DIRECT)], "speech": True},
            {"source": None, "cue": None, "content": None, "speech": False},
        ],
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def test_read_gold_keeps_attributions_with_content(tmp_path: Path) -> None:
    [article] = read_gold(write_gold(tmp_path / "gold.jsonl"))
    assert [g.kind for g in article.golds] == ["indirect", "direct"]


def test_a_quote_is_scored_by_the_union_of_its_fragments() -> None:
    text = '"We start today," Ann Ray said on Monday. "And we finish by May."'
    first = (0, text.index(" Ann"))
    second = (text.index('"And'), len(text))
    g = Gold((first, second), ((text.index("Ann"), text.index(" said")),), True, "direct")
    split = Prediction((first, second), "direct")
    whole = Prediction(((0, len(text)),), "direct")  # the reporting clause inside: a third of the letters
    assert [score for _, _, score in match(text, [split], [g], 0.8)] == [1.0]
    assert match(text, [whole], [g], 0.8) == []


def test_layouts_say_where_cue_and_speaker_stand() -> None:
    text = 'Ann Ray spoke first.\n"We will win," she said.\n"Nothing stops us now."'
    para = (text.index('"Nothing'), len(text))
    ann = [(0, 7)]
    assert layouts(text, [para], [(8, 13)], ann) == {"no cue", "floating"}
    said = text.index("said")
    she = [(said - 4, said - 1)]
    assert layouts(text, [(text.index('"We'), said - 5)], [(said, said + 4)], she) == frozenset()


def test_benchmark_scores_cached_parses_and_dumps_errors(tmp_path: Path) -> None:
    gold_path = write_gold(tmp_path / "gold.jsonl")
    errors, scores = tmp_path / "errors.jsonl", tmp_path / "scores.json"
    args = ["--split", str(gold_path), "--cache", str(tmp_path / "cache"), "--errors", str(errors)]
    result = CliRunner().invoke(app, [*args, "--json", str(scores)])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "cache").glob("gold-*.spacy"))) == 1  # parsed once, kept for the next run
    report = json.loads(scores.read_text())["gold"]
    assert report["scores"]["ours"]["0.5"]["all"]["f1"] == 1.0
    [record] = [json.loads(line) for line in errors.read_text().splitlines()]
    assert record["id"] == "made-up-1" and record["missed"] == [] and record["spurious"] == []
