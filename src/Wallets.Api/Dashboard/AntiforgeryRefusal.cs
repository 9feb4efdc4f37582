using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;

namespace Wallets.Api.Dashboard;

/// <summary>A form posted without its antiforgery token (another site, or an expired page) is still a 400, said in words.</summary>
public sealed class AntiforgeryRefusal : IAlwaysRunResultFilter
{
    private const string Page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Form refused · Wallets</title><link rel="stylesheet" href="/dashboard.css"></head>
        <body><header class="top"><a class="brand" href="/">Wallets</a></header><main>
        <h1>This form was refused</h1>
        <p class="banner error">It did not come from this dashboard, or it was opened too long ago. Nothing was changed.
        Go back, reload the page and send it again.</p>
        </main></body></html>
        """;

    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is IAntiforgeryValidationFailedResult)
            context.Result = new ContentResult { StatusCode = StatusCodes.Status400BadRequest, ContentType = "text/html; charset=utf-8", Content = Page };
    }

    public void OnResultExecuted(ResultExecutedContext context) { }
}
