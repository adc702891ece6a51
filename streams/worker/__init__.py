"""The stream worker: Faust agents around the pure enrichment of `streams.enrich`.

app.py       the topology: topics, tables, agents, wired together
pool.py      enrichment off the event loop, in parser processes, with a time budget per article
delivery.py  outputs to Kafka: retries, dead letters, de-duplication, transactions, acknowledgements
guards.py    guards around races in Faust's consumer
state.py     tables across the stream and the agents that keep them
web.py       the read-only HTTP API on those tables
metrics.py   Prometheus metrics
dedup.py     the de-duplication window
"""
