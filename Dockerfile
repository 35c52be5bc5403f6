# One image for web, worker, beat and migrate.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BRIDGEWORK_VAR_DIR=/data
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core fonts-noto-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 bridgework
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . && pip uninstall -y bridgework
COPY . .
RUN mkdir -p /data && chown bridgework /data \
 && DJANGO_DEBUG=1 python manage.py collectstatic --no-input -v0
USER bridgework
EXPOSE 8000
# web, worker and beat first refuse a database role that would switch row-level security off.
ENTRYPOINT ["sh", "/app/docker/app-entrypoint.sh"]
CMD ["gunicorn", "homework_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
