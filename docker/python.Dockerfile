# syntax=docker/dockerfile:1.7
# The platform's HTTP worker (Python): production image. Build context: the worker's source (compose sets it).
ARG PYTHON_IMAGE=python:3.12.8-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /app
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes -r requirements.txt

FROM build AS scan
ARG SKIP_SCAN=false
COPY . .
# Known-vulnerable dependencies (pip-audit) and risky code (bandit) fail the build.
RUN if [ "$SKIP_SCAN" = "true" ]; then echo "scan skipped" > /scan.txt; \
    else pip install --no-cache-dir pip-audit==2.7.3 bandit==1.8.0 \
         && pip-audit -r requirements.txt && bandit -q -r . -x ./tests && echo "scan passed" > /scan.txt; fi

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="platform-worker" org.opencontainers.image.description="The platform's HTTP worker"
RUN apt-get update && apt-get install -y --no-install-recommends tini=0.19.0-1 wget \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd -g 1001 app && useradd -u 1001 -g 1001 -M -s /usr/sbin/nologin app
WORKDIR /app
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8000
COPY --from=build /venv /venv
COPY --from=scan /scan.txt /app/scan.txt
COPY --chown=1001:1001 . .
USER 1001:1001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health"]
ENTRYPOINT ["/usr/bin/tini", "--", "gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--graceful-timeout", "20", "app:app"]
