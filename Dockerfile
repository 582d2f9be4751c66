# One image for every part; the command picks the part (api, worker or watcher).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=optional || npm install --no-save
COPY . .
ENV NODE_ENV=production
EXPOSE 3000
CMD ["npx", "ts-node", "--transpile-only", "src/main.ts", "api"]
