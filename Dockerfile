# hashlens service image: slim, non-root, models baked in (exported to ONNX at build time).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 HASHLENS_DATA_DIR=/data HASHLENS_MODEL_CACHE_DIR=/opt/hashlens/models \
    HASHLENS_PLAYGROUND_HOST=0.0.0.0

WORKDIR /opt/hashlens
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY models/ models/
COPY indexing/ indexing/
COPY bot/ bot/
# Export the packaged weights to ONNX once, at build time, so containers start fast.
RUN python -c "from models.registry import DEFAULT_IMAGE_MODEL, DEFAULT_TEXT_MODEL, get_image_encoder, get_text_encoder; \
get_image_encoder(DEFAULT_IMAGE_MODEL, cache_dir='/opt/hashlens/models').load(); \
get_text_encoder(DEFAULT_TEXT_MODEL, cache_dir='/opt/hashlens/models').load()"

RUN useradd --system --uid 10001 --home-dir /data hashlens && mkdir -p /data && chown hashlens /data
USER hashlens
VOLUME ["/data"]
# 8080: the playground page (no token); 8443: webhook mode
EXPOSE 8080 8443
# Healthy = the storage answers and this container's process is alive (the scheduler service too).
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s \
    CMD python -c "import redis,os,sys; u=os.environ.get('REDIS_URL') or 'unix:///data/redis.sock'; sys.exit(0 if redis.Redis.from_url(u).ping() else 1)"
# `python -m bot scheduler` runs the scheduled jobs alone (docker-compose.yml's scheduler service).
CMD ["python", "-m", "bot"]
