"""Warn when the project's topics exist with other partition counts or size limits than the settings say.

`ensure_topics` creates a missing topic as the settings describe it, but it never changes one that exists:
a topic created earlier by hand, by another team's client (broker auto-creation: one partition, 1 MiB), or
under other settings keeps its partitions and its `max.message.bytes`. Fewer partitions than
`TOPIC_PARTITIONS` caps the workers that can share the load (and Faust refuses tables whose changelogs
differ); a smaller size limit makes the broker refuse big articles and their outputs. Nothing here alters a
topic (repartitioning changes which partition a key lands on): it says what differs, the operator decides.

The pure part, `topic_warnings`, compares `TopicState`s with the settings; `topic_states` reads them from
aiokafka's admin answers (`describe_topics()`, `describe_configs()`); `check_topics` does both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from streams.settings import LOGICAL_TOPICS, Settings

MAX_MESSAGE_BYTES = "max.message.bytes"


@dataclass(frozen=True, slots=True)
class TopicState:
    """What the broker says of one existing topic; `max_message_bytes` is None when it was not read."""

    name: str
    partitions: int
    max_message_bytes: int | None = None


def topic_warnings(existing: Iterable[TopicState], settings: Settings) -> list[str]:
    """One readable warning per difference between an existing project topic and the settings.

    Topics that do not exist yet are not mentioned (`ensure_topics` creates them right); topics that are
    not the project's are ignored.
    """
    wanted = {settings.topic(logical): logical for logical in LOGICAL_TOPICS}
    warnings = []
    for state in sorted(existing, key=lambda s: s.name):
        logical = wanted.get(state.name)
        if logical is None:
            continue
        if state.partitions != settings.topic_partitions:
            warnings.append(
                f"topic {state.name!r} ({logical}) has {state.partitions} partition(s), the settings say "
                f"{settings.topic_partitions} (TOPIC_PARTITIONS); it is left as it is: recreate it, or change "
                "the setting, to make them agree"
            )
        limit = state.max_message_bytes
        if limit is not None and limit != settings.max_message_bytes:
            consequence = (
                "the broker will refuse messages between the two sizes"
                if limit < settings.max_message_bytes
                else "messages over the settings' limit are dead-lettered anyway"
            )
            warnings.append(
                f"topic {state.name!r} ({logical}) has {MAX_MESSAGE_BYTES}={limit}, the settings want "
                f"{settings.max_message_bytes} (from MAX_ARTICLE_BYTES): {consequence}; fix it with "
                f"kafka-configs --alter --entity-type topics --entity-name {state.name} "
                f"--add-config {MAX_MESSAGE_BYTES}={settings.max_message_bytes}"
            )
    return warnings


def topic_states(described: Sequence[Mapping[str, Any]], configs: Sequence[Any] = ()) -> list[TopicState]:
    """`TopicState`s from `AIOKafkaAdminClient.describe_topics()` and `.describe_configs()` answers.

    `described`: dicts with `topic`, `error_code` and `partitions` (topics with an error are skipped).
    `configs`: DescribeConfigsResponse objects, whose `resources` are (error_code, error_message,
    resource_type, resource_name, config_entries) and each entry starts (name, value, ...).
    """
    limits: dict[str, int] = {}
    for response in configs:
        for error_code, _message, _type, name, entries in response.resources:
            if error_code != 0:
                continue
            for entry in entries:
                if entry[0] == MAX_MESSAGE_BYTES and entry[1] is not None:
                    limits[name] = int(entry[1])
    return [
        TopicState(topic["topic"], len(topic["partitions"]), limits.get(topic["topic"]))
        for topic in described
        if topic.get("error_code", 0) == 0
    ]


async def check_topics(admin: Any, settings: Settings) -> list[str]:
    """Describe the project's existing topics with a started `AIOKafkaAdminClient`; return the warnings.

    The topics are listed first and only existing ones are described: naming a missing topic in a
    metadata request would let a broker that auto-creates topics create it.
    """
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    names = sorted(set(await admin.list_topics()) & set(settings.topics().values()))
    if not names:
        return []
    described = await admin.describe_topics(names)
    configs = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name, configs={MAX_MESSAGE_BYTES: None}) for name in names]
    )
    return topic_warnings(topic_states(described, configs), settings)
