# Stand-in for the official redis:7.4-bookworm image: Debian 12's redis-server (7.0.x) on the
# debootstrapped debian:bookworm-slim. Runs redis-server from PATH with /data as its directory,
# as the compose file expects.
FROM debian:bookworm-slim
ARG APT_MIRROR=
RUN if [ -n "$APT_MIRROR" ]; then sed -i "s#http://deb.debian.org/debian#$APT_MIRROR#" /etc/apt/sources.list.d/debian.sources; fi \
    && apt-get update \
    && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && if [ -n "$APT_MIRROR" ]; then sed -i "s#$APT_MIRROR#http://deb.debian.org/debian#" /etc/apt/sources.list.d/debian.sources; fi \
    && mkdir -p /data /usr/local/etc/redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server"]
