"""Reading articles from files for `publish` and `enrich`: .txt files, JSON lines, folders, stdin.

A `.txt` file is one article whose id is the file's stem. Each line of a `.jsonl`/`.ndjson`/`.json`
file is one message, kept byte for byte: a bad line is still published (the worker dead-letters it,
so nothing is lost) and `enrich` reports it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from streams import events
from streams.events import Article

JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
TEXT_SUFFIXES = frozenset({".txt"})
STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputMessage:
    """One article message as it will go on the wire, with where it came from for error reports."""

    key: bytes | None
    value: bytes
    origin: str


def expand(paths: Iterable[str | Path]) -> Iterator[Path | str]:
    """Files to read, folders expanded recursively in sorted order; '-' stands for stdin."""
    for path in paths:
        if str(path) == STDIN:
            yield STDIN
            continue
        path = Path(path)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in JSON_LINES_SUFFIXES | TEXT_SUFFIXES
            )
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


def text_file_message(path: Path) -> InputMessage:
    article = Article(article_id=path.stem, text=path.read_text(encoding="utf-8"))
    return InputMessage(article.article_id.encode(), events.dumps(events.article_event(article)), str(path))


def key_of(line: bytes) -> bytes | None:
    """The article id a line will get (given or derived), or None when the line is not an article."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    return events.article_id_of(data).encode()


def json_lines_messages(lines: Iterable[bytes], origin: str) -> Iterator[InputMessage]:
    for number, line in enumerate(lines, start=1):
        line = line.rstrip(b"\r\n")
        if line.strip():
            yield InputMessage(key_of(line), line, f"{origin}:{number}")


def read_messages(paths: Iterable[str | Path]) -> Iterator[InputMessage]:
    for path in expand(paths):
        if path == STDIN:
            yield from json_lines_messages(sys.stdin.buffer, "<stdin>")
        elif isinstance(path, Path) and path.suffix in TEXT_SUFFIXES:
            yield text_file_message(path)
        else:
            with open(path, "rb") as handle:
                yield from json_lines_messages(handle, str(path))
