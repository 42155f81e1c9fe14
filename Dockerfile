# syntax=docker/dockerfile:1
# carnet as a JupyterHub single-user image (zero-to-jupyterhub, DockerSpawner, ...).
#   docker build -t carnet-singleuser .
# The hub starts `carnet-singleuser`, which reads the JUPYTERHUB_* environment the spawner
# sets; see docs/jupyterhub.md.

# 1. The frontend, built once with the locked packages.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. A wheel that carries the built UI (the build hook sees it and does not rebuild).
FROM python:3.12-slim-bookworm AS wheel
WORKDIR /build
COPY pyproject.toml README.md hatch_build.py ./
COPY src/ src/
COPY --from=frontend /build/src/carnet/static/ src/carnet/static/
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /dist .

# 3. The image: carnet, ipykernel (a dependency) and a non-root user, as the chart expects.
FROM python:3.12-slim-bookworm
ARG NB_USER=jovyan
ARG NB_UID=1000
ENV SHELL=/bin/bash \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid "${NB_UID}" --gid 100 --shell /bin/bash "${NB_USER}"
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir --disable-pip-version-check /tmp/dist/carnet-*.whl \
    && rm -rf /tmp/dist
USER ${NB_UID}
WORKDIR /home/${NB_USER}
EXPOSE 8888
CMD ["carnet-singleuser"]
