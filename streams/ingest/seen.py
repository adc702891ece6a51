"""The ingesters' memory of what was published: a compacted Kafka topic keyed by canonical URL.

Read from its beginning when an ingester starts and caught up at every pass, written after the article's
publication was acknowledged. Kafka keeps the last record of each key for ever (compaction, no deletion),
so every ingester, however new, knows every URL any of them published. No local file: a container that
loses its disk forgets nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import NewTopic

from streams import events
from streams.clients import consumer, ensure_topics, start_with_retry, topic_partitions
from streams.settings import Settings


def seen_topic(settings: Settings) -> NewTopic:
    return NewTopic(
        settings.topic_ingest_seen,
        num_partitions=settings.topic_partitions,
        replication_factor=settings.topic_replicas,
        topic_configs={"cleanup.policy": "compact"},
    )


class SeenUrls:
    """The set of canonical URLs already published, as the topic tells it, plus what this process adds."""

    def __init__(self, settings: Settings, producer: AIOKafkaProducer) -> None:
        self.settings = settings
        self.producer = producer
        self.urls: set[str] = set()
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []

    async def start(self) -> None:
        """Create the topic (and the project's) if missing, then read it to its end."""
        await ensure_topics(self.settings, [seen_topic(self.settings)])
        self._consumer = consumer(self.settings, from_beginning=True)
        await start_with_retry(self._consumer.start, self.settings.kafka_connect_timeout, self.settings)
        self._partitions = await topic_partitions(self._consumer, [self.settings.topic_ingest_seen])
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)
        await self.catch_up()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def catch_up(self) -> int:
        """Read what other ingesters (and earlier runs) recorded since the last call; return how many."""
        assert self._consumer is not None, "start() first"
        ends = await self._consumer.end_offsets(self._partitions)
        read = 0
        while await _behind(self._consumer, ends):
            for records in (await self._consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    if record.key is not None and record.value is not None:  # a null value would be a deletion
                        self.urls.add(record.key.decode("utf-8", errors="replace"))
                        read += 1
        return read

    def __contains__(self, url: object) -> bool:
        return url in self.urls

    async def record(self, urls: set[str], article_id: str) -> None:
        """Remember `urls` (the canonical URL and the link it was found under) once the article is out."""
        value = events.dumps({"id": article_id, "seen_at": datetime.now(UTC).isoformat()})
        topic = self.settings.topic_ingest_seen
        futures = [await self.producer.send(topic, key=url.encode(), value=value) for url in sorted(urls)]
        for future in futures:
            await future
        self.urls |= urls


async def _behind(client: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """Whether the consumer has yet to reach `ends` on some partition."""
    for tp, end in ends.items():
        if await client.position(tp) < end:
            return True
    return False
