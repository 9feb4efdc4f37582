using Microsoft.AspNetCore.Diagnostics;

namespace Wallets.Api.Http;

/// <summary>Lago bodies for what no endpoint answered: unknown routes, wrong verbs, and the unexpected.</summary>
public static class ErrorHandling
{
    /// <summary>Too many connections, a database starting or shutting down, or no pooled connection in time.</summary>
    private static bool IsDatabaseUnavailable(Exception? error) => error switch
    {
        null => false,
        Npgsql.PostgresException pg => pg.SqlState is "53300" or "57P01" or "57P02" or "57P03",
        Npgsql.NpgsqlException npgsql => npgsql.InnerException is TimeoutException or System.Net.Sockets.SocketException || npgsql.IsTransient,
        _ => IsDatabaseUnavailable(error.InnerException),
    };

    /// <summary>Text PostgreSQL cannot hold (a NUL character, invalid encoding): the client's input, never the server's fault.</summary>
    private static bool IsUnstorableText(Exception? error) => error switch
    {
        null => false,
        Npgsql.PostgresException pg => pg.SqlState is "22021" or "22P05",
        _ => IsUnstorableText(error.InnerException),
    };

    /// <summary>A body past its limit, ours or the server's, however deep the exception that carries it.</summary>
    private static bool IsTooLarge(Exception? error) => error switch
    {
        null => false,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        _ => IsTooLarge(error.InnerException),
    };

    public static void UseLagoErrors(this WebApplication app)
    {
        // Kestrel refuses a NUL in a path, but one percent-encoded in a query string reaches the app, and no filter can
        // compare text with it in PostgreSQL.
        app.Use(async (context, next) =>
        {
            var query = context.Request.QueryString;
            if (query.HasValue && query.Value!.Contains("%00", StringComparison.Ordinal)
                && context.Request.Query.Any(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)))
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(new { status = 400, error = "BadRequest: a query parameter contains a NUL character" });
                return;
            }
            await next(context);
        });

        // Anything unexpected: details in the log only, a bare Lago 500 to the client.
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (IsTooLarge(error))
            {
                await BodyLimits.RefuseAsync(context, BodyLimits.For(context.Request.Path), bodyStarted: true);
                return;
            }
            if (error is BadHttpRequestException bad)
            {
                context.Response.StatusCode = bad.StatusCode;
                await context.Response.WriteAsJsonAsync(new { status = bad.StatusCode, error = $"BadRequest: {bad.Message}" });
                return;
            }
            if (IsUnstorableText(error))
            {
                // A safety net: fields are checked for such text before anything is written; the transaction rolled back.
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(new { status = 400, error = "BadRequest: text PostgreSQL cannot store (a NUL character?)" });
                return;
            }
            if (IsDatabaseUnavailable(error))
            {
                // Overload or a restarting database is not the client's fault, and a retry may well succeed.
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsJsonAsync(new { status = 503, error = "Service Unavailable" });
                return;
            }
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { status = 500, error = "Internal Server Error" });
        }));

        app.UseStatusCodePages(async status =>
        {
            var response = status.HttpContext.Response;
            if (response.HasStarted || response.ContentLength > 0 || response.ContentType is not null) return;
            var body = response.StatusCode switch
            {
                404 => new LagoError(404, "resource_not_found").Body(),
                405 => new LagoError(405, "method_not_allowed").Body(),
                _ => new { status = response.StatusCode, error = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(response.StatusCode) },
            };
            await response.WriteAsJsonAsync(body, LagoJson.Options);
        });
    }
}
