using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Wallets;

/// <summary>A wallet's balance at a past instant (`GET /wallets/{lago_id}?at=`) and over a period (`/balance_history`).</summary>
public static class WalletBalanceEndpoints
{
    /// <summary>Most points one history answers (DESIGN.md 24): 1,000 hours is about 41 days, 1,000 days about 2.7 years.</summary>
    public const int MaxPoints = 1000;

    public static RouteGroupBuilder MapWalletBalanceEndpoints(this RouteGroupBuilder wallets)
    {
        wallets.MapGet("/{lago_id}/balance_history", FindWalletBalanceHistory).WithName("findWalletBalanceHistory")
            .WithQuery("from", "ISO 8601: the first point.", required: true)
            .WithQuery("to", "ISO 8601: the last point (at most 1,000 points).", required: true)
            .WithQuery("granularity", "`hour` or `day` (default).").ProducesLagoErrors(422).Produces<BalanceHistoryEnvelope>();
        return wallets;
    }

    public sealed record BalanceHistoryEnvelope(IReadOnlyList<BalancePointView> BalanceHistory);

    public sealed record BalancePointView(DateTimeOffset At, long BalanceCents, decimal CreditsBalance, decimal ConsumedCredits);

    /// <summary>`?at=`: the wallet as it stood then; a 404 before it existed, a 422 for a malformed or future instant.</summary>
    public static async Task<IResult> FindWalletAt(string lagoId, string? atText, WalletBalances balances, TimeProvider clock, CancellationToken ct)
    {
        var at = Instant("at", atText, clock.GetUtcNow());
        if (!at.IsOk) return at.Error!.ToResult();
        var found = Guid.TryParse(lagoId, out var id) ? await balances.WalletAtAsync(id, at.Value, ct) : null;
        return found is ({ } wallet, { } point)
            ? Results.Json(new WalletEnvelope(WalletBalances.AsOf(wallet, point)), LagoJson.Options)
            : LagoError.NotFound("wallet").ToResult();
    }

    /// <summary>
    /// The balance at `from` and every hour or day after it up to `to` (at most <see cref="MaxPoints"/> points);
    /// instants before the wallet existed or still to come are left out.
    /// </summary>
    private static async Task<IResult> FindWalletBalanceHistory(string lago_id, HttpRequest request, WalletBalances balances, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var query = request.Query;
        if (!IsoTime.TryParse(query["from"], out var from)) return Missing("from", query["from"]);
        if (!IsoTime.TryParse(query["to"], out var to)) return Missing("to", query["to"]);
        var granularity = query["granularity"].ToString() is { Length: > 0 } given ? given : "day";
        if (granularity is not ("hour" or "day")) return LagoError.Validation("granularity", "value_is_invalid").ToResult();
        if (from > to) return LagoError.Validation("to", "invalid_date_range").ToResult();
        var step = granularity == "hour" ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        if ((to - from).Ticks / step.Ticks >= MaxPoints) return LagoError.Validation("to", "too_many_points").ToResult();

        var wallet = Guid.TryParse(lago_id, out var id) ? await balances.WalletAtAsync(id, now, ct) : null;
        if (wallet is not ({ } found, _)) return LagoError.NotFound("wallet").ToResult();
        var instants = new List<DateTimeOffset>();
        for (var at = from; at <= to && at <= now; at += step)
            if (at >= found.CreatedAt) instants.Add(at);
        var points = instants.Count == 0 ? [] : await balances.PointsAsync(id, [.. instants], ct);
        var rate = found.Rate;
        return Results.Json(new BalanceHistoryEnvelope(points.ConvertAll(p =>
            new BalancePointView(p.At, p.BalanceCents, rate.FromCents(p.BalanceCents).Credits, rate.FromCents(p.ConsumedAmountCents).Credits))), LagoJson.Options);

        static IResult Missing(string field, string? text) =>
            LagoError.Validation(field, string.IsNullOrEmpty(text) ? "value_is_mandatory" : "invalid_date").ToResult();
    }

    /// <summary>A past (or present) instant in ISO 8601.</summary>
    private static Result<DateTimeOffset> Instant(string field, string? text, DateTimeOffset now)
    {
        if (!IsoTime.TryParse(text, out var at)) return LagoError.Validation(field, "invalid_date");
        return at > now ? LagoError.Validation(field, "date_in_future") : at;
    }
}
