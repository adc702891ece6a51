# The stream worker. Build: docker build -t streams .   Run: see docker-compose.yml
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY streams ./streams
# streams/schemas is a symlink to ../schemas: copied above, so the installed package finds it.
RUN pip install . \
    && useradd --create-home --uid 10001 streams \
    && mkdir -p /data && chown streams /data

USER streams
# Tables in RocksDB on the /data volume: bounded memory, and a restart reads only the changelogs' tails.
# The API listens on every interface of the container; peers reach each worker at http://<hostname>:6066
# (WORKER_CANONICAL_URL, derived from the host name when unset; set it when peers use another name).
ENV DATA_DIR=/data \
    STORE_URL=rocksdb:// \
    WORKER_WEB_HOST=0.0.0.0 \
    WORKER_WEB_PORT=6066
EXPOSE 6066
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:6066/health', timeout=4)"
ENTRYPOINT ["streams"]
CMD ["worker"]
