using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;
using Wallets.Api.Ledger;

namespace Wallets.Api.Features.Alerts;

/// <summary>
/// Creates, updates and deletes a wallet's alerts, under the customer lock so a new alert's previous value (the
/// wallet's value now, as Lago seeds decreasing alerts) is not overtaken by a concurrent balance change, and the
/// wallet's alert bands (0021), which the database recomputes from these rows, hold for the balance they are read with.
/// New thresholds start from the value now too.
/// </summary>
public sealed class AlertHandler(WalletsDbContext db, TimeProvider clock, RequestTransaction request, OngoingBalances ongoing)
{
    /// <summary>One alert or several; all are written or none (Lago reports every failing alert by its index).</summary>
    public async Task<Result<List<WalletAlert>>> CreateAsync(Wallet wallet, IReadOnlyList<JsonElement> sent, bool batch, CancellationToken ct)
    {
        await using var tx = await request.BeginOrJoinAsync(ct);
        await LockAsync(wallet, ct);
        var existing = await db.WalletAlerts.Where(a => a.WalletId == wallet.Id).Select(a => new { a.Code, a.AlertType }).ToListAsync(ct);
        var codes = existing.Select(a => a.Code).ToHashSet();
        var types = existing.Select(a => a.AlertType).ToHashSet();
        var now = clock.GetUtcNow();
        var created = new List<WalletAlert>();
        var errors = new SortedDictionary<int, LagoError>();
        for (var i = 0; i < sent.Count; i++)
        {
            var input = AlertInput.Read(sent[i]);
            var thresholds = input.IsOk ? input.Value!.ForCreate() : input.Error!;
            if (!thresholds.IsOk) { errors[i] = thresholds.Error!; continue; }
            var alert = input.Value!;
            if (codes.Contains(alert.Code!)) { errors[i] = LagoError.Validation("code", "value_already_exist"); continue; }
            if (types.Contains(alert.AlertType!)) { errors[i] = LagoError.Validation("base", "alert_already_exists"); continue; }
            codes.Add(alert.Code!);
            types.Add(alert.AlertType!);
            var row = new WalletAlert
            {
                Id = Ids.New(), OrganizationId = wallet.OrganizationId, WalletId = wallet.Id, Wallet = wallet, AlertType = alert.AlertType!,
                Code = alert.Code!, Name = alert.Name, CentsPerCredit = wallet.Rate.UnitAmountCents, CreatedAt = now, UpdatedAt = now,
                Thresholds = Rows(thresholds.Value!),
            };
            created.Add(row);
        }
        if (errors.Count > 0) return batch ? BatchError(sent, errors) : errors.Values.First();

        var values = await AlertValues.CurrentAsync(wallet, created.Select(a => a.AlertType), db, ongoing, ct);
        foreach (var alert in created) alert.PreviousValue = values[alert.AlertType];
        db.WalletAlerts.AddRange(created);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return LagoError.Validation("code", "value_already_exist");
        }
        await tx.CommitAsync(ct);
        return created;
    }

    /// <summary>Lago's update: code and name when sent; thresholds, when sent, replace the old ones.</summary>
    public async Task<Result<WalletAlert>> UpdateAsync(WalletAlert alert, JsonElement sent, CancellationToken ct)
    {
        var input = AlertInput.Read(sent);
        if (!input.IsOk) return input.Error!;
        var thresholds = input.Value!.ForUpdate();
        if (!thresholds.IsOk) return thresholds.Error!;
        var change = input.Value!;
        if (change.Code is { } code && code != alert.Code && await db.WalletAlerts.AnyAsync(a => a.WalletId == alert.WalletId && a.Code == code, ct))
            return LagoError.Validation("code", "value_already_exist");

        await using var tx = await request.BeginOrJoinAsync(ct);
        await LockAsync(alert.Wallet, ct);
        if (change.Code is not null) alert.Code = change.Code;
        if (change.NameSent) alert.Name = change.Name;
        alert.UpdatedAt = clock.GetUtcNow();
        if (thresholds.Value is { } replaced)
        {
            // The old thresholds go first, so the new ones may reuse their values.
            await db.Database.ExecuteSqlAsync($"DELETE FROM wallet_alert_thresholds WHERE alert_id = {alert.Id}", ct);
            foreach (var old in alert.Thresholds) db.Entry(old).State = EntityState.Detached;
            alert.Thresholds.Clear();
            foreach (var row in Rows(replaced)) { row.AlertId = alert.Id; alert.Thresholds.Add(row); db.Add(row); }
            alert.PreviousValue = (await AlertValues.CurrentAsync(alert.Wallet, [alert.AlertType], db, ongoing, ct))[alert.AlertType];
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return LagoError.Validation("code", "value_already_exist");
        }
        await tx.CommitAsync(ct);
        return alert;
    }

    public async Task DeleteAsync(Wallet wallet, IReadOnlyCollection<WalletAlert> alerts, CancellationToken ct)
    {
        await using var tx = await request.BeginOrJoinAsync(ct);
        await LockAsync(wallet, ct);
        db.WalletAlerts.RemoveRange(alerts);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    // The wallet as it is under the lock: its values seed previous values.
    private async Task LockAsync(Wallet wallet, CancellationToken ct)
    {
        await db.LockCustomerAsync(wallet.CustomerId, ct);
        await db.Entry(wallet).ReloadAsync(ct);
    }

    private static List<WalletAlertThreshold> Rows(List<ThresholdInput> thresholds) =>
        thresholds.Select((t, i) => new WalletAlertThreshold { Id = Ids.New(), Position = i, Code = t.Code, Value = t.Value, Recurring = t.Recurring }).ToList();

    // Lago's batch failure: each failing alert's index, with its permitted params and its error as Lago words it.
    private static LagoError BatchError(IReadOnlyList<JsonElement> sent, SortedDictionary<int, LagoError> errors) =>
        new(422, "validation_errors")
        {
            Batch = errors.ToDictionary(e => e.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), e => (object)new
            {
                @params = Permitted(sent[e.Key]),
                errors = "Validation errors: " + JsonSerializer.Serialize(e.Value.Details),
            }),
        };

    private static readonly string[] Keys = ["alert_type", "code", "name", "thresholds"];

    private static Dictionary<string, JsonElement> Permitted(JsonElement alert) =>
        alert.ValueKind == JsonValueKind.Object ? alert.EnumerateObject().Where(p => Keys.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value.Clone()) : [];
}
