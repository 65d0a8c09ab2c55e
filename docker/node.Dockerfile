# syntax=docker/dockerfile:1.7
# The platform's HTTP API (Node.js): production image. Build context: the API's source (compose sets it).
ARG NODE_IMAGE=node:20.18.1-alpine3.20

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE} AS audit
ARG SKIP_SCAN=false
WORKDIR /app
COPY package.json package-lock.json ./
# Fails the build on a high or critical advisory in production dependencies.
RUN if [ "$SKIP_SCAN" = "true" ]; then echo "audit skipped" > /audit.txt; \
    else npm audit --omit=dev --audit-level=high && echo "audit passed" > /audit.txt; fi

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="platform-api" org.opencontainers.image.description="The platform's HTTP API"
RUN apk add --no-cache tini=0.19.0-r3 \
    && addgroup -S -g 1001 app && adduser -S -D -H -u 1001 -G app app
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=deps --chown=1001:1001 /app/node_modules ./node_modules
COPY --from=audit /audit.txt /app/audit.txt
COPY --chown=1001:1001 . .
USER 1001:1001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/health"]
ENTRYPOINT ["/sbin/tini", "--", "node", "server.js"]
