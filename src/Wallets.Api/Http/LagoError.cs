namespace Wallets.Api.Http;

/// <summary>
/// An expected failure, returned (never thrown) by handlers and rendered in Lago's exact error bodies.
/// </summary>
public sealed record LagoError(int Status, string? Code, IReadOnlyDictionary<string, string[]>? Details = null, string? Message = null)
{
    /// <summary>Per-item details of a batch, keyed by the item's index (`{"0": {"transaction_id": [...]}}`).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>>? ItemDetails { get; init; }

    /// <summary>A batch create's details: each failing item's index, with what it sent and its error message (Lago's batch services).</summary>
    public IReadOnlyDictionary<string, object>? Batch { get; init; }

    public static LagoError NotFound(string resource) => new(404, $"{resource}_not_found");

    public static LagoError Validation(string field, params string[] codes) =>
        new(422, "validation_errors", new Dictionary<string, string[]> { [field] = codes });

    public static LagoError Validation(IReadOnlyDictionary<string, string[]> details) => new(422, "validation_errors", details);

    public static LagoError ValidationByItem(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>> details) =>
        new(422, "validation_errors") { ItemDetails = details };

    /// <summary>A 422 whose code is the whole story (Lago's `ServiceFailure` style, e.g. payment_url refusals).</summary>
    public static LagoError Unprocessable(string code) => new(422, code);

    public static LagoError BadRequest(string message) => new(400, null, Message: message);

    public static LagoError MissingRoot(string root) => BadRequest($"param is missing or the value is empty or invalid: {root}");

    public static LagoError NotAllowed(string code) => new(405, code);

    public static LagoError Conflict(string code) => new(409, code);

    public static readonly LagoError Unauthorized = new(401, null);

    public IResult ToResult() => Results.Json(Body(), LagoJson.Options, statusCode: Status);

    public object Body() => Status switch
    {
        400 => new { status = 400, error = $"BadRequest: {Message}" },
        401 => new { status = 401, error = "Unauthorized" },
        422 when Details is not null => new { status = 422, error = "Unprocessable Entity", code = Code, error_details = Details },
        422 when Batch is not null => new { status = 422, error = "Unprocessable Entity", code = Code, error_details = Batch },
        422 when ItemDetails is not null => new { status = 422, error = "Unprocessable Entity", code = Code, error_details = ItemDetails },
        _ => new { status = Status, error = ReasonPhrase(Status), code = Code },
    };

    private static string ReasonPhrase(int status) => status switch
    {
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}

/// <summary>A handler's answer: a value or a <see cref="LagoError"/>.</summary>
public readonly record struct Result<T>(T? Value, LagoError? Error)
{
    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(LagoError error) => new(default, error);

    public bool IsOk => Error is null;

    /// <summary>200 with the shaped value, or the Lago error body.</summary>
    public IResult ToHttp(Func<T, object> shape) => Error?.ToResult() ?? Results.Json(shape(Value!), LagoJson.Options);
}
