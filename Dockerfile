# bookworm: its postgresql-client is 15, the same as docker-compose's postgres:15, for the
# backup service's pg_dump and pg_restore.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY seuranta ./seuranta
COPY goals ./goals
COPY reports ./reports
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=1 python manage.py compilemessages -v0

RUN useradd --system --home /app seuranta && chown -R seuranta /app
USER seuranta
EXPOSE 8000
CMD ["deploy/start"]
