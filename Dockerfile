# Multi-stage build of the Wallets API. The base images can be swapped (e.g. for locally built ones where no image
# registry is reachable): docker build --build-arg SDK_IMAGE=… --build-arg RUNTIME_IMAGE=… .
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Wallets.Domain/Wallets.Domain.csproj src/Wallets.Domain/
COPY src/Wallets.Api/Wallets.Api.csproj src/Wallets.Api/
RUN dotnet restore src/Wallets.Api/Wallets.Api.csproj
COPY src/ src/
RUN dotnet publish src/Wallets.Api/Wallets.Api.csproj -c Release -o /app --no-restore

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app .
# The base image listens on ASPNETCORE_HTTP_PORTS (8080); setting ASPNETCORE_URLS as well only earns a warning.
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
USER app
# The program checks itself: the image needs no shell, curl or /dev/tcp for this.
HEALTHCHECK --interval=5s --timeout=4s --start-period=20s --retries=5 CMD ["dotnet", "Wallets.Api.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "Wallets.Api.dll"]
