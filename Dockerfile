# The same functions on the real Azure Functions host (functions-host.md §12). Not built in CI:
# the build machines have no Docker engine.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM mcr.microsoft.com/azure-functions/node:4-node22
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    AzureWebJobsSecretStorageType=kubernetes \
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT=1048576
COPY --from=build /src/dist/functions /home/site/wwwroot/dist/functions
COPY --from=build /src/dist/shared /home/site/wwwroot/dist/shared
COPY --from=build /src/node_modules /home/site/wwwroot/node_modules
COPY --from=build /src/host.json /src/package.json /src/butler.config.schema.json /home/site/wwwroot/
