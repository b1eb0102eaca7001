# Loopline service image: built on the official Swift image, run on its slim runtime image.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product loopline
COPY schema ./schema

FROM swift:6.3-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/loopline loopline \
    && mkdir -p /var/lib/loopline/keys && chown -R loopline /var/lib/loopline && chmod 700 /var/lib/loopline/keys
COPY --from=build /src/.build/release/loopline /usr/local/bin/loopline
COPY --from=build /src/schema /usr/share/loopline/schema
COPY --from=build /src/Sources/Dashboard/Assets /usr/share/loopline/dashboard
USER loopline
ENV LOOPLINE_HTTP=0.0.0.0:8080 LOOPLINE_SOCKET=0.0.0.0:7411 LOOPLINE_SCHEMA_DIR=/usr/share/loopline/schema
EXPOSE 8080 7411
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:8080/health || exit 1
CMD ["sh", "-c", "loopline migrate && exec loopline serve"]
