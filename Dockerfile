# Multi-stage build of the release binary.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin corrigenda

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data corrigenda && mkdir -p /data && chown corrigenda /data
COPY --from=build /src/target/release/corrigenda /usr/local/bin/corrigenda
USER corrigenda
WORKDIR /data
ENV CORRIGENDA_BIND=0.0.0.0:8080 DATABASE_URL=/data/corrigenda.db
EXPOSE 8080
CMD ["corrigenda", "serve"]
