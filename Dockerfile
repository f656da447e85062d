FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
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
