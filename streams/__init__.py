"""streams: news articles in from Kafka; sentences, quotes and canonical entities out."""

__version__ = "0.1.0"
