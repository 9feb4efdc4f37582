using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;
using Wallets.Api.Ledger;

namespace Wallets.Api.Features.Holds;

/// <summary>
/// Holds (docs/ledger.md#holds): reserve credits before expensive work, then capture what it used or release them.
/// Every write goes through the ledger's group commit (<see cref="LedgerWriter"/>, <see cref="HoldsAndCaptures"/>).
/// </summary>
public static class HoldEndpoints
{
    public static RouteGroupBuilder MapHoldEndpoints(this RouteGroupBuilder api)
    {
        var byWallet = api.MapGroup("/wallets/{lago_id}/holds").WithTags("Holds");
        byWallet.MapPost("/", CreateHold).WithName("createHold").Accepts<HoldRequestBody>("application/json").Produces<HoldEnvelope>();
        byWallet.MapGet("/", FindAllHolds).WithName("findAllHolds")
            .WithQuery("status", "`active`, `captured`, `released` or `expired`.").Produces<HoldsPage>();

        var holds = api.MapGroup("/holds").WithTags("Holds");
        holds.MapGet("/{lago_id}", FindHold).WithName("findHold").Produces<HoldEnvelope>();
        holds.MapPost("/{lago_id}/capture", CaptureHold).WithName("captureHold").Accepts<HoldRequestBody>("application/json")
            .ProducesLagoErrors(422).Produces<HoldEnvelope>();
        holds.MapPost("/{lago_id}/release", ReleaseHold).WithName("releaseHold").Produces<HoldEnvelope>();
        return api;
    }

    /// <summary>
    /// Reserves `credits` of the wallet until `expires_at` (none: until captured or released). The same `external_id`
    /// again answers the hold it made (200) when it asks for the same credits; with other credits it is a 422.
    /// </summary>
    private static async Task<IResult> CreateHold(string lago_id, HttpRequest request, Tenant tenant, LedgerWriter writer, CancellationToken ct)
    {
        if (!Guid.TryParse(lago_id, out var walletId)) return LagoError.NotFound("wallet").ToResult();
        var input = await LagoBody.ReadAsync<HoldInput>(request, "hold");
        if (!input.IsOk) return input.Error!.ToResult();
        var hold = input.Value!;
        if (Check(hold, out var expiresAt) is { } refused) return refused.ToResult();
        return await AnswerAsync(writer.WriteAsync(new HoldRequest(HoldAction.Create, tenant.OrganizationId, walletId, hold.Credits, expiresAt,
            hold.ExternalId, hold.Metadata), ct));
    }

    /// <summary>A hold by its lago_id; one past its `expires_at` reads as `expired` from that instant.</summary>
    private static async Task<IResult> FindHold(string lago_id, WalletsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var hold = Guid.TryParse(lago_id, out var id) ? await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == id, ct) : null;
        return hold is null ? LagoError.NotFound("hold").ToResult() : Results.Json(new HoldEnvelope(HoldView.From(hold.AsOf(clock.GetUtcNow()))), LagoJson.Options);
    }

    /// <summary>A wallet's holds, newest first; `status` (`active`, `captured`, `released`, `expired`) filters them, other values are ignored.</summary>
    private static async Task<IResult> FindAllHolds(string lago_id, HttpRequest request, WalletsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByIdAsync(db, lago_id, ct);
        if (!wallet.IsOk) return wallet.Error!.ToResult();
        var now = clock.GetUtcNow();
        var query = db.Holds.AsNoTracking().Where(h => h.WalletId == wallet.Value!.Id);
        // A hold past its expiry is expired from that instant, whether or not the job has recorded it yet.
        query = request.Query["status"].ToString() switch
        {
            HoldStatus.Active => query.Where(h => h.Status == HoldStatus.Active && (h.ExpiresAt == null || h.ExpiresAt > now)),
            HoldStatus.Expired => query.Where(h => h.Status == HoldStatus.Expired || (h.Status == HoldStatus.Active && h.ExpiresAt <= now)),
            var status and (HoldStatus.Captured or HoldStatus.Released) => query.Where(h => h.Status == status),
            _ => query,
        };
        var page = await PageRequest.From(request).ToPageAsync(query.OrderByDescending(h => h.CreatedAt).ThenBy(h => h.Id), ct);
        return Results.Json(new HoldsPage(page.Rows.Select(h => HoldView.From(h.AsOf(now))).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>
    /// Captures `credits` of the hold (at most what it holds; without a body or `credits`, all of it; `0` captures
    /// nothing) as one settled outbound transaction funded by the grants it reserved, and releases the rest.
    /// </summary>
    private static async Task<IResult> CaptureHold(string lago_id, HttpRequest request, Tenant tenant, LedgerWriter writer, CancellationToken ct)
    {
        if (!Guid.TryParse(lago_id, out var id)) return LagoError.NotFound("hold").ToResult();
        string? credits = null;
        // No body at all says nothing either.
        request.EnableBuffering();
        var empty = await request.Body.ReadAsync(new byte[1], ct) == 0;
        request.Body.Position = 0;
        if (!empty)
        {
            var input = await LagoBody.ReadAsync<HoldInput>(request, "hold");
            // No body, or no `hold` object, says nothing: all of it is captured.
            if (input.IsOk) credits = input.Value!.Credits;
            else if (input.Error != LagoError.MissingRoot("hold")) return input.Error!.ToResult();
        }
        return await AnswerAsync(writer.WriteAsync(new HoldRequest(HoldAction.Capture, tenant.OrganizationId, id, credits), ct));
    }

    /// <summary>Releases everything the hold reserves.</summary>
    private static async Task<IResult> ReleaseHold(string lago_id, Tenant tenant, LedgerWriter writer, CancellationToken ct) =>
        Guid.TryParse(lago_id, out var id)
            ? await AnswerAsync(writer.WriteAsync(new HoldRequest(HoldAction.Release, tenant.OrganizationId, id), ct))
            : LagoError.NotFound("hold").ToResult();

    private static async Task<IResult> AnswerAsync(Task<Result<Hold>> write) => (await write).ToHttp(h => new HoldEnvelope(HoldView.From(h)));

    /// <summary>The create's field checks (the amounts are checked against the wallet by the ledger), every failing field at once.</summary>
    private static LagoError? Check(HoldInput hold, out DateTimeOffset? expiresAt)
    {
        var errors = new Dictionary<string, string[]>();
        expiresAt = null;
        if (hold.Credits is null) errors["credits"] = ["value_is_mandatory"];
        if (string.IsNullOrWhiteSpace(hold.ExternalId)) errors["external_id"] = ["value_is_mandatory"];
        else if (hold.ExternalId.Length > 255) errors["external_id"] = ["value_is_too_long"];
        if (hold.ExpiresAt is not null)
        {
            if (WalletValidator.TryParseTime(hold.ExpiresAt, out var at)) expiresAt = at;
            else errors["expires_at"] = ["invalid_date"];
        }
        if (hold.Metadata is { } metadata && (metadata.Count > 50 || !metadata.All(p => p.Key.Length is > 0 and <= 100 && (p.Value?.Length ?? 0) <= 255)))
            errors["metadata"] = ["invalid_metadata"];
        return errors.Count > 0 ? LagoError.Validation(errors) : null;
    }
}
