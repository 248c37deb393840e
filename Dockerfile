# The release binary on a slim Debian, as a user without privileges.
#
#   docker build -t corrigenda .
#   docker run -d --name corrigenda -p 8080:8080 -e CORRIGENDA_BASE_URL=https://corrections.example.com \
#     -v corrigenda-data:/data -v corrigenda-mail:/var/lib/corrigenda/mail \
#     -v corrigenda-key:/var/lib/corrigenda/key corrigenda
#
# The README's "Running in production" says more (backups, restore, PostgreSQL).

# The bundled libpq and SQLite need a C compiler (in the Rust image), and libpq OpenSSL's
# headers, found through pkg-config: said here rather than assumed of the image. Not pinned,
# as below: Debian stable's current versions are wanted, and pinned ones leave the mirrors.
FROM rust:1.95-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# The dependencies first, in a layer of their own: it is rebuilt only when Cargo.toml or
# Cargo.lock change, not on every change to the sources. Empty crates stand in for ours.
COPY Cargo.toml Cargo.lock build.rs ./
COPY templates/Cargo.toml templates/
RUN mkdir src templates/src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs templates/src/lib.rs \
    && cargo build --release --locked --bin corrigenda \
    && rm -rf src templates/src

# Everything the binary embeds: migrations, the demo's article, the templates' CSS and script.
COPY src src
COPY templates templates
COPY migrations migrations
COPY fixtures fixtures
# COPY keeps the files' times, which can be older than the stand-ins just built: touching
# them makes Cargo build our crates again.
RUN touch src/main.rs src/lib.rs templates/src/lib.rs \
    && cargo build --release --locked --bin corrigenda

FROM debian:bookworm-slim
# Versions are not pinned: these come from Debian stable, whose security updates are wanted,
# and a pinned version disappears from the mirrors at the next update, breaking the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/*

# A fixed UID and GID, so a folder mounted from the host can be given to it (chown 10001:10001).
# The database, the mail folder and the signing key each have a folder of their own, owned by
# that user and closed to others: they hold readers' addresses and the key that signs the log.
RUN groupadd --system --gid 10001 corrigenda \
    && useradd --system --uid 10001 --gid corrigenda --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin corrigenda \
    && mkdir -p /data /var/lib/corrigenda/mail /var/lib/corrigenda/key \
    && chown corrigenda:corrigenda /data /var/lib/corrigenda/mail /var/lib/corrigenda/key \
    && chmod 0700 /data /var/lib/corrigenda/mail /var/lib/corrigenda/key

COPY --from=build /src/target/release/corrigenda /usr/local/bin/corrigenda

# SQLite keeps its -wal and -shm files beside the database: the volume is its folder.
ENV CORRIGENDA_BIND=0.0.0.0:8080 \
    DATABASE_URL=/data/corrigenda.db \
    CORRIGENDA_MAIL_DIR=/var/lib/corrigenda/mail \
    CORRIGENDA_SIGNING_KEY=/var/lib/corrigenda/key/corrigenda.key
VOLUME ["/data", "/var/lib/corrigenda/mail", "/var/lib/corrigenda/key"]

USER 10001:10001
WORKDIR /data
EXPOSE 8080
# The binary asks the server itself (GET /healthz on 127.0.0.1:8080): the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["corrigenda", "healthcheck"]
# `docker run IMAGE user add ...` runs another command; with none, the server.
ENTRYPOINT ["corrigenda"]
CMD ["serve"]
