# syntax=docker/dockerfile:1
# One image for the four services and the two one-shot jobs: the entrypoint is node with the
# @faultline/* path mapping, and the first argument picks what runs (the Helm chart sets it):
#   dist/apps/{ingestion,fingerprinter,aggregator,gateway}/src/main.js   a service
#   dist/infra/src/migrate.js                                            ClickHouse migrations
#   dist/infra/src/create-topics.js                                      Kafka topic creation
# Build from the repository root: docker build -t faultline:0.1.0 .
# helm/faultline/tests/image.spec.ts checks every path copied here (npm test runs it).

ARG NODE_IMAGE=node:20.19-bookworm-slim

# Compiles TypeScript with every dependency, dev ones included (tsc, types).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# npm install, not npm ci: chdb (a dev dependency) declares optional platform packages that were never published.
RUN npm install --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY infra/src ./infra/src
RUN npm run build

# Production dependencies only; none has a native part, so the lifecycle scripts are not needed.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node (whose shutdown hooks drain the consumers' batches and
# commit) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
# register-paths.js reads tsconfig.base.json and maps @faultline/* to dist/.
COPY infra/runtime/register-paths.js ./infra/runtime/register-paths.js
COPY --from=build /src/dist/apps ./dist/apps
COPY --from=build /src/dist/libs ./dist/libs
COPY --from=build /src/dist/infra ./dist/infra
# Read at run time from the source tree, not compiled into dist/: the migrations (found by walking up
# from dist/libs/clickhouse/src) and the gateway's SDL (dist/ path with /dist removed).
COPY libs/clickhouse/migrations ./libs/clickhouse/migrations
COPY apps/gateway/src/graphql/schema.graphql ./apps/gateway/src/graphql/schema.graphql
# The node image's unprivileged user, numeric so Kubernetes can verify runAsNonRoot. Nothing is
# written to the filesystem (logs go to stdout), so the root filesystem can be read-only.
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--", "node", "-r", "./infra/runtime/register-paths.js"]
CMD ["dist/apps/gateway/src/main.js"]
