# Multi-stage build of the Wallets API.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Wallets.Domain/Wallets.Domain.csproj src/Wallets.Domain/
COPY src/Wallets.Api/Wallets.Api.csproj src/Wallets.Api/
RUN dotnet restore src/Wallets.Api/Wallets.Api.csproj
COPY src/ src/
RUN dotnet publish src/Wallets.Api/Wallets.Api.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "Wallets.Api.dll"]
