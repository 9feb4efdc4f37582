namespace Wallets.Api.Features.Health;

/// <summary>
/// `dotnet Wallets.Api.dll healthcheck [url]`: GETs `/health/ready` of the server running beside it and exits 0 when it
/// answers 200, 1 otherwise. For container health checks, which need no shell, curl or /dev/tcp in the image. The
/// default URL is http://127.0.0.1 on the first port of `ASPNETCORE_HTTP_PORTS` / `HTTP_PORTS` (8080 in the image).
/// </summary>
public static class HealthCheckCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.ElementAtOrDefault(1) ?? $"http://127.0.0.1:{Port()}/health/ready";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Console.WriteLine($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.WriteLine($"{url}: {e.Message}");
            return 1;
        }
    }

    private static string Port()
    {
        var ports = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? Environment.GetEnvironmentVariable("HTTP_PORTS");
        return ports?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "8080";
    }
}
