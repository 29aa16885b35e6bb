# One image for every process; the command picks the role (api, worker, bot, migrate).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true CHECKPOINT_DISABLE=1 npx prisma generate \
  && npm run build \
  && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production TZ=UTC
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/curriculum ./curriculum
COPY --from=build /app/deploy/vcluster ./deploy/vcluster
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
