# 知权 Zhiquan bot image: `docker build -t zhiquan .`, then see compose.yaml and docs/telegram.md.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# torch is pinned as in pyproject.toml. To keep the image CPU-only (no multi-GB CUDA build), pass
# a CPU wheel index: --build-arg PIP_EXTRA_INDEX_URL=<your CPU torch index>.
ARG PIP_EXTRA_INDEX_URL=
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY ingest ./ingest
RUN pip install "torch==2.13.0" && pip install .

COPY knowledge ./knowledge
RUN useradd --create-home --uid 10001 zhiquan && mkdir /data && chown zhiquan /data
USER zhiquan
ENV KNOWLEDGE_DIR=/app/knowledge DATA_DIR=/data WEBHOOK_LISTEN=0.0.0.0 WEBHOOK_PORT=8443
EXPOSE 8443
ENTRYPOINT ["python", "-m", "bot"]
