# One image, either role: `edge` (default) or `central`, chosen by the command.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY edge_nodes ./edge_nodes
COPY loadtests ./loadtests
RUN /opt/venv/bin/pip install .

FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /var/lib/gateway gateway
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    EDGE_HOST=0.0.0.0 \
    EDGE_PORT=8801 \
    EDGE_DATA_DIR=/var/lib/gateway/edge \
    CENTRAL_HOST=0.0.0.0 \
    CENTRAL_PORT=8800 \
    CENTRAL_DATA_DIR=/var/lib/gateway/central
USER 10001:10001
WORKDIR /var/lib/gateway
EXPOSE 8800 8801
STOPSIGNAL SIGINT
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["python", "-m", "gateway.healthcheck"]
ENTRYPOINT ["edge-gateway"]
CMD ["edge"]
