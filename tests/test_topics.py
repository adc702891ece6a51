"""Topics: the session broker creates none by itself, and existing topics that differ from the settings are
reported (streams.topic_check)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.protocol.metadata import MetadataRequest

from streams.clients import ensure_topics
from streams.settings import Settings
from streams.topic_check import TopicState, check_topics, topic_states, topic_warnings

UNKNOWN_TOPIC_OR_PARTITION = 3  # Kafka's error code


# --- the pure comparison -------------------------------------------------------------------------------


def test_topics_as_the_settings_say_give_no_warning() -> None:
    settings = Settings()
    states = [
        TopicState(name, settings.topic_partitions, settings.max_message_bytes) for name in settings.topics().values()
    ]
    assert topic_warnings(states, settings) == []
    assert topic_warnings([], settings) == []  # missing topics: ensure_topics creates them right


def test_fewer_partitions_and_a_smaller_limit_are_reported() -> None:
    settings = Settings(topic_partitions=4)
    warnings = topic_warnings(
        [
            TopicState("articles", 1, 1_048_588),  # what broker auto-creation makes
            TopicState("quotes", 4, settings.max_message_bytes + 1),
            TopicState("someone-elses-topic", 1, 1),
        ],
        settings,
    )
    assert len(warnings) == 3, warnings
    assert "'articles' (articles) has 1 partition(s), the settings say 4" in warnings[0]
    assert "max.message.bytes=1048588" in warnings[1] and str(settings.max_message_bytes) in warnings[1]
    assert "refuse" in warnings[1]
    assert "'quotes'" in warnings[2] and "refuse" not in warnings[2]
    assert not [w for w in warnings if "someone-elses-topic" in w]


def test_an_unread_limit_is_not_reported() -> None:
    assert topic_warnings([TopicState("articles", 4, None)], Settings(topic_partitions=4)) == []


def test_topic_states_from_admin_answers() -> None:
    described = [
        {"topic": "articles", "error_code": 0, "partitions": [{"partition": 0}, {"partition": 1}]},
        {"topic": "gone", "error_code": 3, "partitions": []},
        {"topic": "quotes", "error_code": 0, "partitions": [{"partition": 0}]},
    ]
    configs = [
        SimpleNamespace(
            resources=[
                (0, None, 2, "articles", [("max.message.bytes", "1048588", False, 5, False, [])]),
                (41, "boom", 2, "quotes", []),
            ]
        )
    ]
    assert topic_states(described, configs) == [TopicState("articles", 2, 1_048_588), TopicState("quotes", 1, None)]


# --- against the session broker ------------------------------------------------------------------------


@pytest.fixture
async def admin(kafka_settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.kafka_bootstrap_servers)
    await client.start()
    try:
        yield client
    finally:
        await client.close()


@pytest.mark.kafka
async def test_the_broker_creates_no_topic_a_client_asks_for(
    kafka_settings: Settings, admin: AIOKafkaAdminClient
) -> None:
    """A consumer subscribing to a missing topic sends this metadata request (aiokafka asks the broker to
    auto-create it). The broker answers "unknown topic" either way: an auto-creating one then creates it, in
    the controller, before topics created after the request. So the test creates its own topics afterwards
    and waits until they are served: by then an auto-created topic would be listed too (checked against a
    broker with auto.create.topics.enable=true)."""
    missing = f"missing-{uuid.uuid4().hex[:10]}"
    host, _, port = kafka_settings.kafka_bootstrap_servers.rpartition(":")
    conn = await create_conn(host, int(port))
    try:
        response = await conn.send(MetadataRequest([missing], allow_auto_topic_creation=True))
    finally:
        conn.close()
    assert {topic[1]: topic[0] for topic in response.topics} == {missing: UNKNOWN_TOPIC_OR_PARTITION}
    await ensure_topics(kafka_settings)  # the barrier: created after the request, and served
    listed = await admin.list_topics()
    assert kafka_settings.topic("articles") in listed
    assert missing not in listed


@pytest.mark.kafka
async def test_existing_topics_that_differ_are_reported(kafka_settings: Settings, admin: AIOKafkaAdminClient) -> None:
    assert await check_topics(admin, kafka_settings) == []  # none of the test's topics exists yet
    # "articles" made as auto-creation would (one partition, the broker's size limit), the rest by ensure_topics.
    await admin.create_topics([NewTopic(kafka_settings.topic("articles"), num_partitions=1, replication_factor=1)])
    await ensure_topics(kafka_settings)
    warnings = await check_topics(admin, kafka_settings)
    articles = kafka_settings.topic("articles")
    assert len(warnings) == 2, warnings
    assert all(repr(articles) in warning for warning in warnings)
    assert f"has 1 partition(s), the settings say {kafka_settings.topic_partitions}" in warnings[0]
    assert "max.message.bytes=" in warnings[1]
