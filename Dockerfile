# The worker/beat image for docker-compose.yml: the project and its fonts, no campaign data.
FROM python:3.11-slim
# libfribidi0: Pillow's raqm layout (Khmer shaping) loads it at run time.
RUN apt-get update && apt-get install -y --no-install-recommends libfribidi0 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY campaign ./campaign
COPY workers ./workers
COPY assets ./assets
RUN pip install --no-cache-dir -e .
RUN useradd --create-home campaign && mkdir -p /var/lib/campaign /app/out && chown campaign /var/lib/campaign /app/out
USER campaign
CMD ["celery", "-A", "workers.app", "worker", "-Q", "tick,render,publish", "-l", "INFO"]
