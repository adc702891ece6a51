"""Stream state: Faust tables that answer "who said what", "who is talked about now" and "about whom".

    enriched --(agent "index-articles", keyed by article_id)--> articles table (summary by article_id)
             +-> speaker-quotes topic (key: speaker entity_id) --(agent)--> speakers table
             +-> entity-mentions topic (key: entity_id) ------(agent)--> entity-names table
                                                                      +-> entity-mentions-1h / -1d (hopping)

Every table has a changelog topic, so a restarted worker (or the next owner of a partition) recovers it.
Tables are keyed like the topic that feeds them, which is what makes `app.table_route` send a request to
the worker that owns the key: the internal topics and the tables both serialize keys as JSON strings.

What goes into the tables is decided by the pure functions in the first half of this module; the agents
in `register` only move events between topics and tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
import orjson

from streams import metrics
from streams.settings import Settings

log = logging.getLogger("streams.state")

Event = dict[str, Any]

#: Quotes kept per speaker (the count covers all of them). Also the window for spotting redeliveries.
QUOTES_KEPT = 50
#: Entities kept per speaker in "about": the least mentioned go first when there are more.
ABOUT_KEPT = 100


@dataclass(frozen=True, slots=True)
class TrendingWindow:
    """A hopping window: `size` seconds long, a new one every `step` seconds."""

    name: str
    size: timedelta
    step: timedelta

    @property
    def expires(self) -> timedelta:
        # The "now" read uses the earliest live window, which started up to `size` ago: keep it, and one more step.
        return self.size + 2 * self.step


#: Windows of GET /entities/trending?window=...; the step is the resolution of "the last hour/day" and
#: costs one changelog write per window per entity mention (size/step windows overlap each instant).
#: Four steps a window: the worker's own CPU (sends and table updates) is the cost the throughput benchmark
#: found beyond spaCy, and finer steps multiply these writes (10-minute and 2-hour steps made 6 + 12).
WINDOWS = {
    "1h": TrendingWindow("1h", timedelta(hours=1), timedelta(minutes=15)),
    "1d": TrendingWindow("1d", timedelta(days=1), timedelta(hours=6)),
}


# --- what to store: pure functions ------------------------------------------------------------------


def iso_time(timestamp: float | None) -> str | None:
    """A message timestamp (Faust gives seconds since the epoch) as ISO-8601 UTC."""
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def article_summary(enriched: Event, seen_at: str | None = None) -> Event:
    """What GET /articles/{id} returns: the enriched article without its text and sentence offsets.

    The text can be a megabyte; the table (and its changelog) keep what a monitor reads instead.
    """
    names = {e["entity_id"]: e["name"] for e in enriched["entities"]}
    return {
        "article_id": enriched["article_id"],
        "title": enriched.get("title"),
        "url": enriched.get("url"),
        "source": enriched.get("source"),
        "published_at": enriched.get("published_at"),
        "language": enriched.get("language"),
        "model": enriched.get("model"),
        "seen_at": seen_at,
        "length": len(enriched["text"]),
        "sentence_count": len(enriched["sentences"]),
        "quotes": [
            {
                "quote_id": q["quote_id"],
                "text": q["text"],
                "kind": q["kind"],
                "span": q["span"],
                "speakers": [{"entity_id": s["entity_id"], "name": s["name"]} for s in q["speakers"]],
                "about": [{"entity_id": e, "name": names[e]} for e in entities_in_span(enriched, q["span"])],
            }
            for q in enriched["quotes"]
        ],
        "entities": [
            {
                "entity_id": e["entity_id"],
                "name": e["name"],
                "label": e["label"],
                "title": e.get("title"),
                "mentions": len(e["mentions"]),
            }
            for e in enriched["entities"]
        ],
    }


def entities_in_span(enriched: Event, span: Mapping[str, int]) -> dict[str, int]:
    """Entity id -> how many of its mentions lie wholly inside `span` (character offsets, end exclusive)."""
    found: dict[str, int] = {}
    for entity in enriched["entities"]:
        inside = sum(1 for m in entity["mentions"] if span["start"] <= m["start"] and m["end"] <= span["end"])
        if inside:
            found[entity["entity_id"]] = inside
    return found


def speaker_quote_records(enriched: Event, seen_at: str | None = None) -> list[tuple[str, Event]]:
    """One (speaker entity_id, record) per attributed speaker of each quote, for the speaker-keyed topic.

    A record carries the quote and the entities mentioned inside it, so the speaker's owner can update
    both "what did they say" and "about whom" from one event. Speakers without an entity id (unresolved)
    cannot be keyed and are left out; so is a speaker's mention of themselves ("about whom" means others).
    """
    entities = {e["entity_id"]: e for e in enriched["entities"]}
    records = []
    for quote in enriched["quotes"]:
        inside = entities_in_span(enriched, quote["span"])
        for speaker in quote["speakers"]:
            speaker_id = speaker.get("entity_id")
            if not speaker_id:
                continue
            about = [
                {
                    "entity_id": entity_id,
                    "name": entities[entity_id]["name"],
                    "label": entities[entity_id]["label"],
                    "mentions": count,
                }
                for entity_id, count in inside.items()
                if entity_id != speaker_id
            ]
            records.append(
                (
                    speaker_id,
                    {
                        "speaker": {"entity_id": speaker_id, "name": speaker["name"], "title": speaker.get("title")},
                        "quote": {
                            "quote_id": quote["quote_id"],
                            "text": quote["text"],
                            "kind": quote["kind"],
                            "article_id": enriched["article_id"],
                            "article_title": enriched.get("title"),
                            "published_at": enriched.get("published_at"),
                            "seen_at": seen_at,
                            "about": [{"entity_id": a["entity_id"], "name": a["name"]} for a in about],
                        },
                        "about": about,
                    },
                )
            )
    return records


def entity_mention_records(enriched: Event) -> list[tuple[str, Event]]:
    """One (entity_id, record) per canonical entity of the article, for the entity-keyed topic."""
    return [
        (e["entity_id"], {"name": e["name"], "label": e["label"], "mentions": len(e["mentions"])})
        for e in enriched["entities"]
    ]


def add_speaker_quote(
    state: Event | None, record: Event, *, keep: int = QUOTES_KEPT, about_kept: int = ABOUT_KEPT
) -> Event | None:
    """The speaker's table value after one more quote, or None when the quote is already counted.

    Delivery is at least once: after a crash the tail of the topic is read again. A quote id among the
    latest `keep` is a redelivery (or the same article published twice: quote ids are deterministic).
    """
    speaker, quote = record["speaker"], record["quote"]
    state = state or {
        "entity_id": speaker["entity_id"],
        "name": speaker["name"],
        "title": None,
        "quote_count": 0,
        "quotes": [],
        "about": {},
    }
    if any(q["quote_id"] == quote["quote_id"] for q in state["quotes"]):
        return None
    about = dict(state["about"])
    for entity in record["about"]:
        before = about.get(entity["entity_id"], {"name": entity["name"], "label": entity["label"], "mentions": 0})
        about[entity["entity_id"]] = {
            "name": entity["name"],
            "label": entity["label"],
            "mentions": before["mentions"] + entity["mentions"],
            "quotes": before.get("quotes", 0) + 1,
        }
    if len(about) > about_kept:
        about = dict(sorted(about.items(), key=lambda item: -item[1]["mentions"])[:about_kept])
    return {
        **state,
        "name": speaker["name"],
        "title": speaker.get("title") or state.get("title"),
        "quote_count": state["quote_count"] + 1,
        "quotes": [quote, *state["quotes"]][:keep],
        "about": about,
    }


def about_list(about: Mapping[str, Event], top: int | None = None) -> list[Event]:
    """A speaker's "about" map as a list, most mentioned first."""
    ranked = sorted(about.items(), key=lambda item: (-item[1]["mentions"], -item[1].get("quotes", 0), item[0]))
    return [{"entity_id": entity_id, **value} for entity_id, value in ranked[:top]]


def speaker_view(state: Event, *, quotes: int | None = None, about: int | None = None) -> Event:
    """A speaker's table value as the API shows it."""
    return {
        "entity_id": state["entity_id"],
        "name": state["name"],
        "title": state.get("title"),
        "quote_count": state["quote_count"],
        "quotes": state["quotes"][:quotes],
        "about": about_list(state["about"], about),
    }


def top_speakers(states: Iterable[Event], top: int) -> list[Event]:
    """The most quoted speakers, each with their latest quote and whom they talk about most."""
    ranked = sorted(states, key=lambda s: (-s["quote_count"], s["name"], s["entity_id"]))
    return [speaker_view(state, quotes=1, about=3) for state in ranked[:top]]


def add_counts(current: Event | None, more: Event) -> Event:
    """Sum of two window values ({"mentions": n, "articles": m}); the window op of the trending tables."""
    current = current or {}
    return {
        "mentions": current.get("mentions", 0) + more["mentions"],
        "articles": current.get("articles", 0) + more["articles"],
    }


def trending(counts: Iterable[tuple[str, Event]], names: Mapping[str, Event], top: int) -> list[Event]:
    """Entities ranked by mentions in a window (then by articles), with their names."""
    rows = []
    for entity_id, value in counts:
        if not value or not value.get("mentions"):
            continue
        name = names.get(entity_id) or {}
        rows.append(
            {
                "entity_id": entity_id,
                "name": name.get("name", entity_id),
                "label": name.get("label"),
                "mentions": value["mentions"],
                "articles": value["articles"],
            }
        )
    rows.sort(key=lambda r: (-r["mentions"], -r["articles"], r["name"]))
    return rows[:top]


def merge_ranked(parts: Iterable[list[Event]], key: str, rank: Any, top: int) -> list[Event]:
    """Merge the ranked lists several workers returned; a key twice (a standby copy) keeps its best row."""
    best: dict[str, Event] = {}
    for part in parts:
        for row in part:
            if row[key] not in best or rank(row) < rank(best[row[key]]):
                best[row[key]] = row
    return sorted(best.values(), key=rank)[:top]


def speaker_rank(row: Event) -> tuple[Any, ...]:
    return (-row["quote_count"], row["name"], row["entity_id"])


def trending_rank(row: Event) -> tuple[Any, ...]:
    return (-row["mentions"], -row["articles"], row["name"])


def partition_lag(end: int | None, committed: int | None, position: int | None) -> int | None:
    """Messages in a partition not yet committed (or, before the first commit, not yet read)."""
    if end is None:
        return None
    done = committed if committed is not None else position
    return max(end - (done or 0), 0)


# --- the tables and agents ---------------------------------------------------------------------------


@dataclass
class State:
    """The worker's tables, and the local reads the web views make on them."""

    app: faust.App
    settings: Settings
    articles: faust.Table
    speakers: faust.Table
    entity_names: faust.Table
    mentions: dict[str, Any]  # window name -> WindowWrapper of a hopping table

    def article(self, article_id: str) -> Event | None:
        return self.articles.get(article_id.encode())

    def speaker(self, entity_id: str) -> Event | None:
        return self.speakers.get(entity_id)

    def top_speakers(self, top: int) -> list[Event]:
        return top_speakers(self.speakers.values(), top)

    def trending(self, window: str, top: int) -> list[Event]:
        # `.now()`: the window that covers the last `size` seconds of wall-clock time, not of stream time.
        return trending(self.mentions[window].relative_to_now().items().now(), self.entity_names, top)

    def table_hosts(self, table: faust.Table) -> list[str]:
        """URLs of the workers that own partitions of `table` (only this worker before the first assignment)."""
        hosts = sorted(self.app.router.table_metadata(table.name))
        return hosts or [str(self.app.conf.canonical_url)]


def register(app: faust.App, settings: Settings) -> State:
    """Declare the tables, the internal topics and the agents that maintain them on `app`."""
    partitions = settings.topic_partitions
    prefix = settings.app_id
    enriched = app.topic(settings.topic_enriched, key_type=bytes, value_type=bytes, value_serializer="raw")
    # Internal topics (named after the app, created by Faust with the app's partition count).
    speaker_quotes = app.topic(
        f"{prefix}-speaker-quotes", key_type=str, key_serializer="json", value_serializer="orjson",
        partitions=partitions, internal=True,
    )  # fmt: skip
    entity_mentions = app.topic(
        f"{prefix}-entity-mentions", key_type=str, key_serializer="json", value_serializer="orjson",
        partitions=partitions, internal=True,
    )  # fmt: skip

    # A big article's summary or a speaker's kept quotes can pass the broker's default 1 MiB message limit.
    changelog = {"max.message.bytes": str(settings.max_message_bytes)}

    def table(name: str, **kwargs: Any) -> faust.Table:
        # The store's options (rocksdb://: its memory bounds, see Settings); a fresh dict per table.
        return app.Table(name, partitions=partitions, options=settings.table_options(), **kwargs)

    # Keyed by the enriched topic's raw key (bytes): same partitioning as the topic feeding it.
    articles = table("articles", key_type=bytes, extra_topic_configs=changelog, help="Article summaries")
    speakers = table("speakers", key_type=str, extra_topic_configs=changelog, help="Quotes by speaker")
    entity_names = table("entity-names", key_type=str, help="Entity name and label")
    mentions: dict[str, Any] = {}
    for name, window in WINDOWS.items():
        mentions[name] = table(f"entity-mentions-{name}", key_type=str, default=dict).hopping(
            window.size, window.step, expires=window.expires, key_index=True
        )
        # Faust clones the key index table without the options (its store is made later, on first use).
        mentions[name].key_index_table.options = settings.table_options()

    @app.agent(enriched, name="index-articles")
    async def index_articles(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            try:
                enriched_article = orjson.loads(event.value)
            except orjson.JSONDecodeError:
                # Our own producer wrote it; a bad one is a bug to log, not a reason to stop the agent.
                log.error("not JSON on %s at offset %s: skipped", event.message.topic, event.message.offset)
                continue
            seen_at = iso_time(event.message.timestamp)
            articles[event.key] = article_summary(enriched_article, seen_at)
            # Repartition: each speaker's and entity's updates go to the worker that owns that key.
            for speaker_id, record in speaker_quote_records(enriched_article, seen_at):
                await speaker_quotes.send(key=speaker_id, value=record)
            for entity_id, record in entity_mention_records(enriched_article):
                await entity_mentions.send(key=entity_id, value=record)

    @app.agent(speaker_quotes, name="count-speaker-quotes")
    async def count_speaker_quotes(stream: faust.StreamT[Event]) -> None:
        async for speaker_id, record in stream.items():
            updated = add_speaker_quote(speakers.get(speaker_id), record)
            if updated is not None:
                speakers[speaker_id] = updated

    @app.agent(entity_mentions, name="count-entity-mentions")
    async def count_entity_mentions(stream: faust.StreamT[Event]) -> None:
        async for entity_id, record in stream.items():
            if entity_names.get(entity_id) != {"name": record["name"], "label": record["label"]}:
                entity_names[entity_id] = {"name": record["name"], "label": record["label"]}
            for window in mentions.values():
                # Windowed op: adds to every window this event's timestamp falls in.
                window[entity_id].apply(add_counts, {"mentions": record["mentions"], "articles": 1})

    seen_lag: set[tuple[str, str]] = set()

    @app.timer(interval=5.0, name="consumer-lag")
    async def consumer_lag() -> None:
        """Set streams_consumer_lag for each assigned input partition (changelogs are read, not committed)."""
        consumer = app.consumer
        changelogs = {table.changelog_topic.get_topic_name() for table in app.tables.values()}
        tps = [tp for tp in consumer.assignment() if tp.topic not in changelogs]
        ends = await consumer.highwaters(*tps) if tps else {}
        current = set()
        for tp in tps:
            # Faust keeps the offsets it committed (Kafka's "next to read") but has no public getter for them.
            committed = consumer._committed_offset.get(tp)
            lag = partition_lag(ends.get(tp), committed, await consumer.position(tp))
            if lag is not None:
                labels = (tp.topic, str(tp.partition))
                metrics.CONSUMER_LAG.labels(*labels).set(lag)
                current.add(labels)
        for labels in seen_lag - current:  # partitions this worker no longer owns
            metrics.CONSUMER_LAG.remove(*labels)
        seen_lag.clear()
        seen_lag.update(current)

    return State(app, settings, articles, speakers, entity_names, mentions)
