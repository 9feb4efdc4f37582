using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Alerts;

/// <summary>Lago's wallet alerts: `/customers/{external_customer_id}/wallets/{wallet_code}/alerts[/{code}]`.</summary>
public static class AlertEndpoints
{
    public static RouteGroupBuilder MapAlertEndpoints(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/customers/{external_customer_id}/wallets/{wallet_code}/alerts").WithTags("Wallet alerts");
        alerts.MapGet("/", List).WithName("getCustomerWalletAlerts").Produces<AlertsEnvelope>();
        alerts.MapPost("/", Create).WithName("createCustomerWalletAlert").Produces<AlertCreatedEnvelope>();
        alerts.MapDelete("/", DeleteAll).WithName("deleteAllCustomerWalletAlerts").Produces(StatusCodes.Status200OK);
        alerts.MapGet("/{code}", Get).WithName("getCustomerWalletAlert").Produces<AlertEnvelope>();
        alerts.MapPut("/{code}", Update).WithName("updateCustomerWalletAlert").Produces<AlertEnvelope>();
        alerts.MapDelete("/{code}", Delete).WithName("deleteCustomerWalletAlert").Produces<AlertEnvelope>();
        return api;
    }

    /// <summary>Lists a wallet's alerts, oldest first.</summary>
    private static async Task<IResult> List(string external_customer_id, string wallet_code, HttpRequest http, WalletsDbContext db, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByCodeAsync(db, external_customer_id, wallet_code, ct);
        if (!wallet.IsOk) return wallet.Error!.ToResult();
        var page = await PageRequest.From(http).ToPageAsync(Alerts(db, wallet.Value!).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id), ct);
        return Json(new AlertsEnvelope(page.Rows.Select(a => WalletAlertView.From(a, wallet.Value!)).ToList(), page.Meta));
    }

    /// <summary>Creates a wallet alert (`alert`), or several at once, all or nothing (`alerts`).</summary>
    private static async Task<IResult> Create(string external_customer_id, string wallet_code, HttpRequest http, WalletsDbContext db, AlertHandler handler, CancellationToken ct)
    {
        var body = await LagoBody.ReadDocumentAsync(http);
        if (!body.IsOk) return body.Error!.ToResult();
        using var document = body.Value!;
        // As Lago's controllers: the customer and wallet are found (404) before the body is required (400).
        var wallet = await WalletLookup.ByCodeAsync(db, external_customer_id, wallet_code, ct);
        if (!wallet.IsOk) return wallet.Error!.ToResult();
        var root = document.RootElement;
        // Lago's controller: a present `alerts` is a batch, anything else must carry `alert`.
        var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("alerts", out var alerts) ? alerts : default;
        var batch = list.ValueKind != JsonValueKind.Undefined && !LagoBody.IsBlank(list);
        if (!batch && (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("alert", out var one) || LagoBody.IsBlank(one)))
            return LagoError.MissingRoot("alert").ToResult();
        var sent = batch ? (list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [list]) : [root.GetProperty("alert")];
        var created = await handler.CreateAsync(wallet.Value!, sent, batch, ct);
        if (!created.IsOk) return created.Error!.ToResult();
        var views = created.Value!.Select(a => WalletAlertView.From(a, wallet.Value!)).ToList();
        return batch ? Json(new AlertsEnvelope(views)) : Json(new AlertEnvelope(views[0]));
    }

    /// <summary>A wallet alert by its code.</summary>
    private static async Task<IResult> Get(string external_customer_id, string wallet_code, string code, WalletsDbContext db, CancellationToken ct)
    {
        var found = await FindAsync(db, external_customer_id, wallet_code, code, ct);
        return found.IsOk ? Json(new AlertEnvelope(WalletAlertView.From(found.Value!, found.Value!.Wallet))) : found.Error!.ToResult();
    }

    /// <summary>Changes a wallet alert's code, name or thresholds (sent thresholds replace the old ones).</summary>
    private static async Task<IResult> Update(string external_customer_id, string wallet_code, string code, HttpRequest http, WalletsDbContext db, AlertHandler handler, CancellationToken ct)
    {
        var body = await LagoBody.ReadDocumentAsync(http);
        if (!body.IsOk) return body.Error!.ToResult();
        using var document = body.Value!;
        var found = await FindAsync(db, external_customer_id, wallet_code, code, ct);
        if (!found.IsOk) return found.Error!.ToResult();
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("alert", out var sent) || LagoBody.IsBlank(sent))
            return LagoError.MissingRoot("alert").ToResult();
        var updated = await handler.UpdateAsync(found.Value!, sent, ct);
        return updated.IsOk ? Json(new AlertEnvelope(WalletAlertView.From(updated.Value!, updated.Value!.Wallet))) : updated.Error!.ToResult();
    }

    /// <summary>Deletes a wallet alert.</summary>
    private static async Task<IResult> Delete(string external_customer_id, string wallet_code, string code, WalletsDbContext db, AlertHandler handler, CancellationToken ct)
    {
        var found = await FindAsync(db, external_customer_id, wallet_code, code, ct);
        if (!found.IsOk) return found.Error!.ToResult();
        var view = WalletAlertView.From(found.Value!, found.Value!.Wallet);
        await handler.DeleteAsync(found.Value!.Wallet, [found.Value!], ct);
        return Json(new AlertEnvelope(view));
    }

    /// <summary>Deletes every alert of the wallet; the answer has no body, as Lago's.</summary>
    private static async Task<IResult> DeleteAll(string external_customer_id, string wallet_code, WalletsDbContext db, AlertHandler handler, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByCodeAsync(db, external_customer_id, wallet_code, ct);
        if (!wallet.IsOk) return wallet.Error!.ToResult();
        await handler.DeleteAsync(wallet.Value!, await Alerts(db, wallet.Value!).ToListAsync(ct), ct);
        return Results.Ok();
    }

    private static IQueryable<WalletAlert> Alerts(WalletsDbContext db, Wallet wallet) =>
        db.WalletAlerts.Include(a => a.Thresholds).Where(a => a.WalletId == wallet.Id);

    private static async Task<Result<WalletAlert>> FindAsync(WalletsDbContext db, string externalCustomerId, string walletCode, string code, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByCodeAsync(db, externalCustomerId, walletCode, ct);
        if (!wallet.IsOk) return wallet.Error!;
        var alert = await Alerts(db, wallet.Value!).FirstOrDefaultAsync(a => a.Code == code, ct);
        if (alert is null) return LagoError.NotFound("alert");
        alert.Wallet = wallet.Value!;
        return alert;
    }

    private static IResult Json(object value) => Results.Json(value, LagoJson.Options);
}
