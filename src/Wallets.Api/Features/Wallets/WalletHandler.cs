using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Http;
using Wallets.Api.Ledger;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Wallets;

/// <summary>Creating (with its initial credits, in the same transaction), updating and terminating wallets.</summary>
public sealed partial class WalletHandler(
    WalletsDbContext db, Tenant tenant, WalletLedger ledger, CreditInvoices invoices, RecurringRules rules, RequestTransaction request,
    WalletWebhooks webhooks, TimeProvider clock)
{
    /// <param name="routeCustomer">The customer of `POST /customers/{id}/wallets` (a 404 if unknown there); else the body's.</param>
    public async Task<Result<Wallet>> CreateAsync(WalletInput input, string? routeCustomer, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // A missing external_customer_id finds no customer: {customer: [customer_not_found]}, as in Lago.
        var externalId = routeCustomer ?? input.ExternalCustomerId;
        if (new WalletValidator(creating: true, now).Check(input) is { } invalid) return invalid;
        var expiration = TopUpAmounts.ParseExpiration(input.TransactionExpirationAt, "transaction_expiration_at", now);
        if (!expiration.IsOk) return expiration.Error!;

        await using var tx = await request.BeginOrJoinAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == externalId, ct);
        if (customer is null) return routeCustomer is null ? LagoError.Validation("customer", "customer_not_found") : LagoError.NotFound("customer");
        await db.LockCustomerAsync(customer.Id, ct);

        // Seed 002: a customer whose currency is set only gets wallets in that currency; one without takes the wallet's.
        var currency = input.Currency ?? customer.Currency;
        if (currency is null) return LagoError.Validation("currency", "value_is_mandatory");
        if (customer.Currency is not null && customer.Currency != currency) return LagoError.Validation("currency", "currencies_does_not_match");
        var maxWallets = await db.Organizations.Where(o => o.Id == tenant.OrganizationId).Select(o => o.MaxWallets).FirstAsync(ct);
        if (await db.Wallets.CountAsync(w => w.CustomerId == customer.Id && w.Status == WalletStatus.Active, ct) >= maxWallets)
            return LagoError.Validation("customer", "wallet_limit_reached");
        if (input.PaidTopUpMaxAmountCents < input.PaidTopUpMinAmountCents)
            return LagoError.Validation("paid_top_up_max_amount_cents", "must_be_greater_than_or_equal_min");

        var code = input.Code?.Trim() ?? await GenerateCodeAsync(customer.Id, input.Name, now, ct);
        if (await CodeTakenAsync(customer.Id, code, null, ct)) return LagoError.Validation("code", "value_already_exist");

        customer.Currency ??= currency;
        DecimalText.TryParse(input.RateAmount, out var rateAmount);
        var wallet = new Wallet
        {
            Id = Ids.New(), OrganizationId = tenant.OrganizationId, CustomerId = customer.Id, Customer = customer,
            Code = code, Name = input.Name, Priority = input.Priority ?? 50, Currency = currency,
            RateAmount = Math.Round(rateAmount, 5, MidpointRounding.AwayFromZero),
            InvoiceRequiresSuccessfulPayment = input.InvoiceRequiresSuccessfulPayment ?? false,
            PaidTopUpMinAmountCents = input.PaidTopUpMinAmountCents, PaidTopUpMaxAmountCents = input.PaidTopUpMaxAmountCents,
            AllowedFeeTypes = [.. input.AppliesTo?.FeeTypes?.Distinct() ?? []],
            BillableMetricCodes = [.. input.AppliesTo?.BillableMetricCodes?.Distinct() ?? []],
            Metadata = input.Metadata, ExpirationAt = ParsedTime(input.ExpirationAt), CreatedAt = now, UpdatedAt = now,
        };
        db.Wallets.Add(wallet);

        var initial = InitialCredits(wallet, input);
        if (!initial.IsOk) return initial.Error!;
        var rule = rules.ForNewWallet(wallet, input);
        if (!rule.IsOk) return rule.Error!;
        wallet.ActiveRule = rule.Value;
        try
        {
            // Stored before its credits: the ledger's rows name a stored wallet.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { ConstraintName: "wallets_active_code" })
        {
            return LagoError.Validation("code", "value_already_exist");
        }
        var (paid, granted) = initial.Value;
        var details = new TopUpDetails(input.TransactionName, input.TransactionPriority, input.TransactionMetadata, null, ExpirationAt: expiration.Value);
        if (paid is not null) await invoices.BillPurchaseAsync(wallet, wallet.Customer, ledger.Purchase(wallet, paid, details), ct);
        if (granted is not null) ledger.Grant(wallet, granted, details);
        await ledger.SaveAsync(ct);
        await webhooks.EnqueueAsync(wallet, "wallet.created", ct);
        await tx.CommitAsync(ct);
        return wallet;
    }

    /// <summary>DESIGN.md 6: the initial paid/granted credits, checked before anything is stored, applied in the same request.</summary>
    private static Result<(WalletCredit? Paid, WalletCredit? Granted)> InitialCredits(Wallet wallet, WalletInput input)
    {
        var rate = wallet.Rate;
        var paid = TopUpAmounts.Parse(rate, input.PaidCredits, "paid_credits", roundTrip: true);
        if (!paid.IsOk) return paid.Error!;
        if (paid.Value is not null && input.IgnorePaidTopUpLimitsOnCreation != true && TopUpAmounts.CheckLimits(wallet, paid.Value) is { } limit) return limit;
        var granted = TopUpAmounts.Parse(rate, input.GrantedCredits, "granted_credits", roundTrip: true);
        if (!granted.IsOk) return granted.Error!;
        if (TopUpAmounts.CheckRoom(0, paid.Value, granted.Value) is { } full) return full;
        return (paid.Value, granted.Value);
    }

    public async Task<Result<Wallet>> UpdateAsync(Wallet wallet, WalletInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");
        if (new WalletValidator(creating: false, now).Check(input) is { } invalid) return invalid;

        // Under the customer's lock, as top-ups, rules and termination change the wallet, and on the wallet as it now is:
        // what is not sent keeps its current value, not the one read before the lock.
        await using var tx = await request.BeginOrJoinAsync(ct);
        await db.LockCustomerAsync(wallet.CustomerId, ct);
        await db.Entry(wallet).ReloadAsync(ct);
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");

        var min = input.Has("paid_top_up_min_amount_cents") ? input.PaidTopUpMinAmountCents : wallet.PaidTopUpMinAmountCents;
        var max = input.Has("paid_top_up_max_amount_cents") ? input.PaidTopUpMaxAmountCents : wallet.PaidTopUpMaxAmountCents;
        if (max < min) return LagoError.Validation("paid_top_up_max_amount_cents", "must_be_greater_than_or_equal_min");
        if (input.Code is { } code && code.Trim() != wallet.Code && await CodeTakenAsync(wallet.CustomerId, code.Trim(), wallet.Id, ct))
            return LagoError.Validation("code", "value_already_exist");

        if (input.Has("name")) wallet.Name = input.Name;
        if (input.Code is not null) wallet.Code = input.Code.Trim();
        if (input.Priority is not null) wallet.Priority = input.Priority.Value;
        if (input.Has("expiration_at")) wallet.ExpirationAt = ParsedTime(input.ExpirationAt);
        if (input.InvoiceRequiresSuccessfulPayment is not null) wallet.InvoiceRequiresSuccessfulPayment = input.InvoiceRequiresSuccessfulPayment.Value;
        wallet.PaidTopUpMinAmountCents = min;
        wallet.PaidTopUpMaxAmountCents = max;
        if (input.AppliesTo?.FeeTypes is not null) wallet.AllowedFeeTypes = [.. input.AppliesTo.FeeTypes.Distinct()];
        if (input.AppliesTo?.BillableMetricCodes is not null) wallet.BillableMetricCodes = [.. input.AppliesTo.BillableMetricCodes.Distinct()];
        if (input.Has("metadata")) wallet.Metadata = input.Metadata;
        wallet.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { ConstraintName: "wallets_active_code" })
        {
            return LagoError.Validation("code", "value_already_exist");
        }
        var rule = await rules.UpdateAsync(wallet, input, ct);
        if (!rule.IsOk) return rule.Error!;
        wallet.ActiveRule = rule.Value;
        await webhooks.EnqueueAsync(wallet, "wallet.updated", ct);
        await tx.CommitAsync(ct);
        return wallet;
    }

    /// <summary>DESIGN.md 5: terminating voids what is left, traced like any debit. Idempotent.</summary>
    public async Task<Result<Wallet>> TerminateAsync(Guid walletId, CancellationToken ct)
    {
        await using var tx = await request.BeginOrJoinAsync(ct);
        var wallet = await ledger.LockWalletAsync(walletId, ct);
        if (wallet is null) return LagoError.NotFound("wallet");
        if (!wallet.IsActive) return wallet;

        await ledger.VoidRemainingAsync(wallet, ct);
        await rules.TerminateAllAsync(wallet.Id, ct);
        wallet.Status = WalletStatus.Terminated;
        wallet.TerminatedAt = wallet.UpdatedAt = clock.GetUtcNow();
        await ledger.SaveAsync(ct);
        await webhooks.EnqueueAsync(wallet, "wallet.terminated", ct);
        await tx.CommitAsync(ct);
        return wallet;
    }

    private Task<bool> CodeTakenAsync(Guid customerId, string code, Guid? except, CancellationToken ct) =>
        db.Wallets.AnyAsync(w => w.CustomerId == customerId && w.Code == code && w.Status == WalletStatus.Active && w.Id != except, ct);

    /// <summary>Lago: the name parameterized with `_` (or `default`), suffixed with the Unix time when taken.</summary>
    private async Task<string> GenerateCodeAsync(Guid customerId, string? name, DateTimeOffset now, CancellationToken ct)
    {
        var code = NotWord().Replace((name ?? "").ToLowerInvariant(), "_").Trim('_');
        if (code.Length == 0) code = "default";
        return await CodeTakenAsync(customerId, code, null, ct) ? $"{code}_{now.ToUnixTimeSeconds()}" : code;
    }

    private static DateTimeOffset? ParsedTime(string? text) => WalletValidator.TryParseTime(text, out var at) ? at : null;

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotWord();
}
