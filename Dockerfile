# Production image: gunicorn serves config.wsgi; the same image runs the worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 maakmatch

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY audit ./audit
COPY marketplace ./marketplace
COPY matching ./matching
COPY learning ./learning
COPY notifications ./notifications
COPY insights ./insights
COPY privacy ./privacy
COPY worker ./worker
COPY api ./api
COPY web ./web
COPY locale ./locale
COPY docs ./docs
COPY manage.py ./
RUN pip install . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R maakmatch /app/var

USER maakmatch
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
