# syntax=docker/dockerfile:1
# wuye-copilot API image: `docker build -t wuye-copilot .` — see docs/deploy.md.
# Stage 1 builds the wheel (code + the playbook, guardrail policy and prompts as package data)
# and installs it with its dependencies into /opt/venv; stage 2 copies only that virtualenv.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY agent ./agent
COPY api ./api
COPY cli ./cli
COPY evals ./evals
COPY corpus ./corpus
COPY guardrails ./guardrails
COPY prompts ./prompts
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install /wheels/*.whl \
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="wuye-copilot" \
      org.opencontainers.image.description="物业客服回复助手 API: six-stage reply drafts, guardrails, human approval"
# The data dir (and the Chroma server's, so a fresh named volume is the user's too) belong to wuye.
RUN groupadd --system --gid 10001 wuye \
 && useradd --system --uid 10001 --gid wuye --home-dir /var/lib/wuye --create-home --shell /usr/sbin/nologin wuye \
 && install -d -o wuye -g wuye -m 0750 /var/lib/wuye/chroma
COPY --from=build /opt/venv /opt/venv
# No telemetry and no remote fetches at run time (litellm's price map, Chroma, guardrails-ai).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WUYE_DATA_DIR=/var/lib/wuye \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    ANONYMIZED_TELEMETRY=False
USER 10001:10001
WORKDIR /var/lib/wuye
EXPOSE 8080
# Ready = database, shared state (Redis), playbook index and model settings all usable (/readyz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status != 200)"]
CMD ["wuye", "serve", "--host", "0.0.0.0", "--port", "8080"]
