# Front-end assets are built in a Node stage; the runtime image has Python only and runs as a
# non-root user.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN npm run build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 10001 mappa
COPY pyproject.toml README.md ./
COPY mappa ./mappa
COPY agencies ./agencies
COPY federation ./federation
COPY notifications ./notifications
COPY cases ./cases
COPY referrals ./referrals
COPY meetings ./meetings
COPY documents ./documents
COPY reporting ./reporting
COPY reminders ./reminders
COPY auditing ./auditing
COPY transfers ./transfers
COPY reviews ./reviews
COPY governance ./governance
COPY partners ./partners
RUN pip install --upgrade pip && pip install .
COPY manage.py ./
COPY templates ./templates
COPY --from=assets /app/static ./static
RUN DEBUG=true DEVTOOLS=false STATIC_MANIFEST=true python manage.py collectstatic --noinput && chown -R mappa:mappa /app/var
USER mappa
EXPOSE 8000
# gunicorn reads WEB_CONCURRENCY for its number of worker processes.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "mappa.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
