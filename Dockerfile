FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# Static files and translations are built into the image; DEBUG=0 needs keys only to start.
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1ub3QtYS1yZWFsLWtleS0wMDAwMDA= DEBUG=0 python manage.py collectstatic --no-input -v0 \
    && python manage.py compilemessages -v0 --ignore=.venv \
    && useradd --create-home portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
# Workers, timeouts and request limits: gunicorn.conf.py (read from the working directory).
CMD ["gunicorn", "portal.wsgi", "--config", "gunicorn.conf.py"]
