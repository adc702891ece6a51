"""Stream state: Faust tables that answer "who said what", "who is talked about now" and "about whom".

    enriched --(agent "index-articles", keyed by article_id)--> articles table (summary by article_id)
             +-> speaker-quotes topic (key: speaker entity_id) --(agent)--> speakers table
             +-> entity-mentions topic (key: entity_id) ------(agent)--> entity-trends table
                                                   (name, label, mentions in 15-minute buckets of the last day)

Every table has a changelog topic, so a restarted worker (or the next owner of a partition) recovers it.
Tables are keyed like the topic that feeds them, which is what makes `app.table_route` send a request to
the worker that owns the key: the internal topics and the tables both serialize keys as JSON strings.

What goes into the tables is decided by the pure functions in the first half of this module; the agents
in the second half only move events between topics and tables. `streams.worker.app` wires them.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
import orjson
from aiokafka.partitioner import murmur2

from streams import people
from streams.events import clip_quote_text
from streams.settings import Settings

log = logging.getLogger("streams.worker.state")

Event = dict[str, Any]

#: Quotes kept per speaker (the count covers all of them). Also the window for spotting redeliveries.
QUOTES_KEPT = 50
#: Entities kept per speaker in "about": the least mentioned go first when there are more.
ABOUT_KEPT = 100
#: Full names kept per surname in the people table (the most counted are never dropped).
NAMES_KEPT = 8

#: Windows of GET /entities/trending?window=...: the last hour or day of wall-clock time.
WINDOWS = {"1h": timedelta(hours=1), "1d": timedelta(days=1)}
#: An entity's mentions are counted in buckets of this size by message timestamp (buckets start at
#: multiples of it since the epoch): the resolution of every window. One plain table value per entity
#: holds them all, so an article costs one changelog write per entity; Faust's hopping tables wrote one
#: per window an instant falls in, plus their key indexes (about 230 messages an article for 1h and 1d).
BUCKET = timedelta(minutes=15)
#: The longest window: a bucket that can no longer overlap it is dropped, an entity without one deleted.
LONGEST = max(WINDOWS.values())


# --- what to store: pure functions ------------------------------------------------------------------


def iso_time(timestamp: float | None) -> str | None:
    """A message timestamp (Faust gives seconds since the epoch) as ISO-8601 UTC."""
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def article_summary(enriched: Event, seen_at: str | None = None, index: MentionIndex | None = None) -> Event:
    """What GET /articles/{id} returns: the enriched article without its text and sentence offsets.

    The text can be a megabyte; the table (and its changelog) keep what a monitor reads instead.
    """
    names = {e["entity_id"]: e["name"] for e in enriched["entities"]}
    index = index or MentionIndex.of(enriched)
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
                "text": clip_quote_text(q["text"]),  # the tables and the API keep a bounded quote
                "kind": q["kind"],
                "span": q["span"],
                "speakers": [{"entity_id": s["entity_id"], "name": s["name"]} for s in q["speakers"]],
                "about": [
                    {"entity_id": e, "name": names[e]} for e in entities_in_span(enriched, q["fragments"], index)
                ],
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


@dataclass(frozen=True, slots=True)
class MentionIndex:
    """An article's entity mentions sorted by start: the mentions inside a span by one bisection, so an
    article with thousands of quotes costs no more than its mentions and quotes (issue 11)."""

    starts: list[int]
    mentions: list[tuple[int, int, str]]  # (start, end, entity_id)

    @classmethod
    def of(cls, enriched: Event) -> MentionIndex:
        mentions = sorted((m["start"], m["end"], e["entity_id"]) for e in enriched["entities"] for m in e["mentions"])
        return cls([start for start, _, _ in mentions], mentions)

    def count_inside(self, fragments: Sequence[Mapping[str, int]]) -> dict[str, int]:
        found: dict[str, int] = {}
        for fragment in fragments:
            i = bisect.bisect_left(self.starts, fragment["start"])
            while i < len(self.mentions) and self.mentions[i][0] < fragment["end"]:
                _, end, entity_id = self.mentions[i]
                if end <= fragment["end"]:
                    found[entity_id] = found.get(entity_id, 0) + 1
                i += 1
        return found


def entities_in_span(
    enriched: Event, fragments: Sequence[Mapping[str, int]], index: MentionIndex | None = None
) -> dict[str, int]:
    """Entity id -> how many of its mentions lie wholly inside one of a quote's `fragments` (character
    offsets, end exclusive): the speaker's words, not the reporting clause between them."""
    return (index or MentionIndex.of(enriched)).count_inside(fragments)


def speaker_quote_records(
    enriched: Event, seen_at: str | None = None, index: MentionIndex | None = None
) -> list[tuple[str, Event]]:
    """One (speaker entity_id, record) per attributed speaker of each quote, for the speaker-keyed topic.

    A record carries the quote and the entities mentioned inside it, so the speaker's owner can update
    both "what did they say" and "about whom" from one event. Speakers without an entity id (unresolved)
    cannot be keyed and are left out; so is a speaker's mention of themselves ("about whom" means others).
    """
    entities = {e["entity_id"]: e for e in enriched["entities"]}
    index = index or MentionIndex.of(enriched)
    records = []
    for quote in enriched["quotes"]:
        inside = entities_in_span(enriched, quote["fragments"], index)
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
                            "text": clip_quote_text(quote["text"]),
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


def add_person_name(counts: Mapping[str, int] | None, record: Event) -> dict[str, int]:
    """A surname's full-name counts after one more article naming `record["name"]` (bounded)."""
    return people.count_title(counts, record["name"], keep=NAMES_KEPT)


#: Capitalized words of a raw article: where its bare surnames can be. Bytes, so no decoding is needed.
CAPITALIZED = re.compile(rb"\b[A-Z][\w'\-]+")


def owners_for(raws: Iterable[bytes], known: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """Surname -> the full name that dominates it, for the surnames a batch of raw articles may hold."""
    owners: dict[str, str] = {}
    for raw in raws:
        for word in set(CAPITALIZED.findall(raw)):
            surname = word.decode(errors="ignore")
            if surname in owners or (counts := known.get(surname)) is None:
                continue
            owner = people.dominant(counts)
            if owner is not None:
                owners[surname] = owner
    return owners


def entity_mention_records(enriched: Event) -> list[tuple[str, Event]]:
    """One (entity_id, record) per canonical entity of the article, for the entity-keyed topic."""
    return [
        (e["entity_id"], {"name": e["name"], "label": e["label"], "mentions": len(e["mentions"])})
        for e in enriched["entities"]
    ]


def by_partition(
    records: Iterable[tuple[str, Event]], serialized_key: Callable[[str], bytes], partitions: int
) -> dict[int, list[tuple[str, Event]]]:
    """Keyed records grouped by the partition each key goes to: Kafka's default partitioner over the
    serialized key, which is also where Faust's router looks for a table key."""
    groups: dict[int, list[tuple[str, Event]]] = {}
    for key, record in records:
        groups.setdefault((murmur2(serialized_key(key)) & 0x7FFFFFFF) % partitions, []).append((key, record))
    return groups


async def repartition(topic: faust.TopicT, records: Iterable[tuple[str, Event]], partitions: int) -> None:
    """Send keyed records to the partitions that own their keys, one message per partition
    (`{"records": [[key, record], ...]}`) rather than one per key: an article names some 25 entities,
    and each message a worker sends and reads back through a Faust stream costs its event loop more than
    the table write it leads to."""
    groups = by_partition(records, lambda key: topic.prepare_key(key, None)[0], partitions)
    for partition, group in groups.items():
        await topic.send(key=group[0][0], value={"records": group}, partition=partition)


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
        "titles": {},
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
    titles = people.count_title(state.get("titles"), speaker.get("title"))
    return {
        **state,
        "name": speaker["name"],
        "titles": titles,
        "title": people.main_title(titles),  # the most frequent, not the latest article's parse
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
    ranked = heapq.nsmallest(top, states, key=speaker_rank)  # one pass, no sort of the whole table
    return [speaker_view(state, quotes=1, about=3) for state in ranked]


def bucket_start(timestamp: float) -> int:
    """The start (seconds since the epoch) of the bucket a message timestamp falls in."""
    size = int(BUCKET.total_seconds())
    return int(timestamp // size) * size


def in_window(start: int, window: timedelta, now: float) -> bool:
    """Whether the bucket starting at `start` counts in the last `window` before `now` (wall-clock time).

    A bucket counts, whole, if it overlaps the window: the window's edge falls inside a bucket, so "the
    last hour" reaches back up to 15 minutes further, and "the last day" too (finer than the 6-hour step
    of the hopping windows this replaced). Buckets after `now` (a producer clock ahead) count as well.
    """
    return start + BUCKET.total_seconds() > now - window.total_seconds()


def add_mention(state: Event | None, record: Event, timestamp: float, *, now: float, partition: int) -> Event | None:
    """An entity's trends value after one article's mentions of it (`record`, at message `timestamp`).

    The value: the latest name and label, the input `partition` the entity's key is on (how a sweep of
    stale entities knows which keys it may delete, see `stale_entities`), and its buckets sorted by
    start, each [start, mentions, articles]. Buckets that can no longer overlap the longest window at
    `now` are dropped; None when none is left (a message older than a day), i.e. nothing to keep.
    """
    buckets = {start: (mentions, articles) for start, mentions, articles in (state or {}).get("buckets", ())}
    start = bucket_start(timestamp)
    mentions, articles = buckets.get(start, (0, 0))
    buckets[start] = (mentions + record["mentions"], articles + 1)
    kept = [[s, m, a] for s, (m, a) in sorted(buckets.items()) if in_window(s, LONGEST, now)]
    if not kept:
        return None
    return {"name": record["name"], "label": record["label"], "partition": partition, "buckets": kept}


def window_counts(state: Event, window: timedelta, now: float) -> Event:
    """An entity's mentions and articles in the last `window` before `now` (see `in_window`)."""
    counted = [b for b in state["buckets"] if in_window(b[0], window, now)]
    return {"mentions": sum(b[1] for b in counted), "articles": sum(b[2] for b in counted)}


def stale_entities(states: Iterable[tuple[str, Event]], partition: int, now: float) -> list[str]:
    """Keys of `partition` whose newest bucket can no longer overlap the longest window at `now`."""
    return [
        entity_id
        for entity_id, state in states
        if state.get("partition") == partition
        and not (state["buckets"] and in_window(state["buckets"][-1][0], LONGEST, now))
    ]


def trending(states: Iterable[tuple[str, Event]], window: timedelta, now: float, top: int) -> list[Event]:
    """Entities ranked by mentions in the last `window` before `now` (then by articles), with their names."""
    rows = []
    for entity_id, state in states:
        counts = window_counts(state, window, now)
        if not counts["mentions"]:
            continue
        rows.append({"entity_id": entity_id, "name": state["name"], "label": state["label"], **counts})
    return heapq.nsmallest(top, rows, key=trending_rank)


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


# --- the tables and the agents that keep them -------------------------------------------------------

#: How the speaker- and entity-keyed internal topics are declared (named after the app, created with the
#: app's partition count): JSON string keys, like the tables they feed, so `app.table_route` finds owners.
INTERNAL_TOPIC: dict[str, Any] = {
    "key_type": str,
    "key_serializer": "json",
    "value_serializer": "orjson",
    "internal": True,
}


#: Partitions of the person-names topic and of the people table's changelog. One: a few small updates an
#: article, which one worker keeps up with, while every partition more is one more that every worker
#: fetches from, on every fetch, for the global table (with four, a tenth or more of the event loop).
PEOPLE_PARTITIONS = 1


@dataclass
class State:
    """The worker's tables, and the local reads the web views make on them."""

    app: faust.App
    settings: Settings
    articles: faust.Table
    speakers: faust.Table
    trends: faust.Table
    #: Surname -> full names with the number of articles that named each: the same on every worker.
    people: faust.GlobalTable
    #: Input partition -> when its stale entities were last looked for (wall-clock seconds).
    swept: dict[int, float] = field(default_factory=dict)

    @classmethod
    def declare(cls, app: faust.App, settings: Settings) -> State:
        """Declare the tables on `app`, each with a changelog topic."""
        # A big article's summary or a speaker's kept quotes can pass the broker's default 1 MiB limit.
        changelog = {"max.message.bytes": str(settings.max_message_bytes)}

        def table(name: str, **kwargs: Any) -> faust.Table:
            # The store's options (rocksdb://: its memory bounds, see Settings); a fresh dict per table.
            return app.Table(
                name,
                partitions=settings.topic_partitions,
                options=settings.table_options(),
                standby_buffer_size=settings.table_standby_buffer_size,
                **kwargs,
            )

        return cls(
            app,
            settings,
            # Keyed by the enriched topic's raw key (bytes): same partitioning as the topic feeding it.
            articles=table("articles", key_type=bytes, extra_topic_configs=changelog, help="Article summaries"),
            speakers=table("speakers", key_type=str, extra_topic_configs=changelog, help="Quotes by speaker"),
            trends=table("entity-trends", key_type=str, help="Entity name, label and recent mentions"),
            # Global: every worker's parser needs all of it. Fed by one topic of one partition, so there is
            # one writer (see PEOPLE_PARTITIONS).
            people=app.GlobalTable(
                "people",
                partitions=PEOPLE_PARTITIONS,
                key_type=str,
                options=settings.table_options(),
                help="Full names by surname",
            ),
        )

    def owners_for(self, raws: Iterable[bytes]) -> dict[str, str]:
        return owners_for(raws, self.people)

    def article(self, article_id: str) -> Event | None:
        return self.articles.get(article_id.encode())

    def speaker(self, entity_id: str) -> Event | None:
        return self.speakers.get(entity_id)

    def top_speakers(self, top: int) -> list[Event]:
        return top_speakers(self.speakers.values(), top)

    def trending(self, window: str, top: int) -> list[Event]:
        # The last hour or day of wall-clock time, not of stream time.
        return trending(self.trends.items(), WINDOWS[window], time.time(), top)

    def table_hosts(self, table: faust.Table) -> list[str]:
        """URLs of the workers that own partitions of `table` (only this worker before the first assignment)."""
        hosts = sorted(self.app.router.table_metadata(table.name))
        return hosts or [str(self.app.conf.canonical_url)]


Agent = Callable[[faust.StreamT[Any]], Awaitable[None]]


def index_articles(state: State, speaker_quotes: faust.TopicT, entity_mentions: faust.TopicT) -> Agent:
    """enriched -> the article's summary, and a record per speaker and entity to the keyed topics, one
    message per partition (`repartition`)."""
    partitions = state.settings.topic_partitions

    async def agent(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            try:
                enriched_article = orjson.loads(event.value)
                seen_at = iso_time(event.message.timestamp)
                index = MentionIndex.of(enriched_article)  # once per article, for both
                summary = article_summary(enriched_article, seen_at, index)
                speakers = speaker_quote_records(enriched_article, seen_at, index)
                mentions = entity_mention_records(enriched_article)
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                skip_malformed(event, exc)
                continue
            state.articles[event.key] = summary
            # Repartition: each speaker's and entity's updates go to the worker that owns that key.
            await repartition(speaker_quotes, speakers, speaker_quotes.partitions or partitions)
            await repartition(entity_mentions, mentions, entity_mentions.partitions or partitions)

    return agent


def count_person_names(state: State) -> Agent:
    """person-names (sent by enrich-articles: what each article teaches) -> the people table."""

    async def agent(stream: faust.StreamT[Event]) -> None:
        async for event in stream.events():
            try:
                state.people[event.key] = add_person_name(state.people.get(event.key), event.value)
            except (KeyError, TypeError, AttributeError) as exc:
                skip_malformed(event, exc)

    return agent


def count_speaker_quotes(state: State) -> Agent:
    """speaker-quotes -> the speakers table."""

    async def agent(stream: faust.StreamT[Event]) -> None:
        async for event in stream.events():
            try:
                for speaker_id, record in keyed_records(event):
                    updated = add_speaker_quote(state.speakers.get(speaker_id), record)
                    if updated is not None:
                        state.speakers[speaker_id] = updated
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                skip_malformed(event, exc)

    return agent


def count_entity_mentions(state: State) -> Agent:
    """entity-mentions -> the entity-trends table, and a sweep of entities nobody mentioned for a day."""
    trends = state.trends

    async def agent(stream: faust.StreamT[Event]) -> None:
        async for event in stream.events():
            partition, now = event.message.partition, time.time()
            timestamp = event.message.timestamp or now
            try:
                for entity_id, record in keyed_records(event):
                    updated = add_mention(trends.get(entity_id), record, timestamp, now=now, partition=partition)
                    if updated is not None:
                        trends[entity_id] = updated
                    elif entity_id in trends:
                        del trends[entity_id]
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                skip_malformed(event, exc)
                continue
            # Stale entities are deleted here, or memory grows with every name ever seen. A plain Faust table
            # sends a write or a deletion to the changelog partition of the event being processed
            # (`Collection.partition_for_key` reads `current_event()`): a timer has no event and cannot
            # delete, and a deletion now is right only for keys of this event's partition. The value records
            # its partition, since the table also holds standby copies of other partitions' keys (their owner
            # deletes them). A partition that gets no more events keeps its stale keys, but no new ones
            # either. The sweep reads every key: at most once a bucket per partition.
            if now - state.swept.get(partition, 0.0) >= BUCKET.total_seconds():
                state.swept[partition] = now
                for stale in stale_entities(list(trends.items()), partition, now):
                    del trends[stale]

    return agent


def keyed_records(event: faust.EventT) -> list[tuple[str, Event]]:
    """The (key, record) pairs of one message of a keyed topic: a group (`repartition`), or, as workers
    sent them before groups, one record keyed by the message (still on the topic after an upgrade)."""
    if "records" in event.value:
        return [(key, record) for key, record in event.value["records"]]
    return [(event.key, event.value)]


def skip_malformed(event: faust.EventT, exc: Exception) -> None:
    """Our own agents wrote these topics: a malformed record is a bug to log, not a reason to stop."""
    message = event.message
    log.error(
        "malformed record on %s[%s] at offset %s skipped: %r", message.topic, message.partition, message.offset, exc
    )
