# The image of every service in docker-compose.yml (render, publish, alerts, beat, web): the
# project and its fonts, no campaign data (`campaign apply` stores campaigns in Redis).
FROM python:3.11-slim
# Pillow's wheels bundle raqm and HarfBuzz but load FriBiDi at run time: without libfribidi0
# Khmer falls back to unshaped glyphs (dotted circles). libraqm0 is installed too, for a Pillow
# built against the system raqm.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libfribidi0 libraqm0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY campaign ./campaign
COPY workers ./workers
COPY assets ./assets
RUN pip install --no-cache-dir .
# Not root: the services need nothing but their cache folder and the outbox folder.
RUN useradd --create-home --uid 10001 campaign \
    && mkdir -p /var/lib/campaign /app/out \
    && chown campaign /var/lib/campaign /app/out
USER campaign
ENV CAMPAIGN_HOME=/var/lib/campaign PYTHONUNBUFFERED=1
# Unhealthy when Khmer cannot be shaped (every card would be wrong) or Redis does not answer.
HEALTHCHECK --interval=60s --timeout=20s --start-period=20s --retries=3 CMD ["campaign", "doctor", "--redis"]
CMD ["celery", "-A", "workers.app", "worker", "-Q", "tick,render,publish", "-l", "INFO"]
