using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;
using Wallets.Api.Ledger;
using Wallets.Domain.Money;
using Wallets.Domain.TopUps;

namespace Wallets.Api.Features.Wallets;

/// <summary>One item of a wallet's `recurring_transaction_rules` (api-contract.md §8.3); `lago_id` names a rule to update.</summary>
public sealed class RecurringRuleInput : Input
{
    public string? LagoId { get; init; }
    public string? Trigger { get; init; }
    public string? Method { get; init; }
    public string? Interval { get; init; }
    [WireType(typeof(decimal?))] public string? ThresholdCredits { get; init; }
    [WireType(typeof(decimal?))] public string? PaidCredits { get; init; }
    [WireType(typeof(decimal?))] public string? GrantedCredits { get; init; }
    [WireType(typeof(decimal?))] public string? TargetOngoingBalance { get; init; }
    public bool? GrantsTargetTopUp { get; init; }
    [WireType(typeof(DateTimeOffset?))] public string? StartedAt { get; init; }
    [WireType(typeof(DateTimeOffset?))] public string? ExpirationAt { get; init; }
    public bool? InvoiceRequiresSuccessfulPayment { get; init; }
    public bool? IgnorePaidTopUpLimits { get; init; }
    public string? TransactionName { get; init; }
    public List<KeyValue?>? TransactionMetadata { get; init; }
    /// <summary>How many days each top-up lasts before its remaining credits expire (1 to 3650; null: never). Beyond Lago.</summary>
    public int? TransactionExpirationDays { get; init; }
}

/// <summary>
/// A wallet's recurring transaction rules as its create and update set them (behavior.md §5.5). Any fault in a rule is
/// Lago's one error, `{recurring_transaction_rules: [invalid_recurring_rule]}`; more than one rule per request is
/// `invalid_number_of_recurring_rules` (<see cref="WalletValidator"/>). Callers hold the customer's lock, so one wallet
/// never gets two active rules (the database refuses that too).
/// </summary>
public sealed class RecurringRules(WalletsDbContext db, TimeProvider clock)
{
    private const string Field = "recurring_transaction_rules";
    /// <summary>Ten years: the longest a recurring top-up may last (the database checks it too).</summary>
    public const int MaxTransactionExpirationDays = 3650;
    private static readonly LagoError Invalid = LagoError.Validation(Field, "invalid_recurring_rule");
    private static readonly InlineValidator<KeyValue> MetadataPair = new();

    static RecurringRules() => MetadataRules.KeyValue(MetadataPair);

    /// <summary>The rule of a new wallet. A fixed rule without credits takes the wallet's initial paid and granted credits.</summary>
    public Result<RecurringTransactionRule?> ForNewWallet(Wallet wallet, WalletInput input)
    {
        if (input.RecurringTransactionRules is not [var item]) return (RecurringTransactionRule?)null;
        if (Parse(item) is not { } given) return Invalid;
        var rule = New(wallet, clock.GetUtcNow());
        var applied = Apply(rule, given, wallet);
        if (!applied.IsOk) return applied.Error!;
        if (rule.Method == RuleMethod.Fixed && !given.Has("paid_credits") && !given.Has("granted_credits"))
        {
            rule.PaidCredits = Credits(input.PaidCredits);
            rule.GrantedCredits = Credits(input.GrantedCredits);
        }
        if (CheckLimits(rule, wallet) is { } limit) return limit;
        db.RecurringTransactionRules.Add(rule);
        return rule;
    }

    /// <summary>
    /// Lago's update: the sent list is the wallet's whole set. A rule whose `lago_id` names an active rule is updated, any
    /// other is created, and active rules left out are terminated (an empty list terminates them all). Returns the
    /// wallet's active rule afterwards. Saves its changes.
    /// </summary>
    public async Task<Result<RecurringTransactionRule?>> UpdateAsync(Wallet wallet, WalletInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var active = await db.RecurringTransactionRules.Where(r => r.WalletId == wallet.Id && r.Status == WalletStatus.Active).ToListAsync(ct);
        if (input.RecurringTransactionRules is null)
        {
            // As in Lago, new limits must still fit the active fixed rule: otherwise it could never top up again.
            var current = active.FirstOrDefault();
            return current is not null && CheckLimits(current, wallet) is { } limit ? limit : current;
        }

        RecurringRuleInput? given = null;
        if (input.RecurringTransactionRules is [var item] && (given = Parse(item)) is null) return Invalid;
        var kept = given?.LagoId is { } id ? active.FirstOrDefault(r => r.Id.ToString() == id.Trim().ToLowerInvariant()) : null;
        var rule = kept ?? (given is null ? null : New(wallet, now));
        if (rule is not null)
        {
            var applied = Apply(rule, given!, wallet);
            if (!applied.IsOk) return applied.Error!;
            if (CheckLimits(rule, wallet) is { } limit) return limit;
            rule.UpdatedAt = now;
        }
        // Terminated before the new rule is stored: one active rule per wallet.
        foreach (var left in active.Where(r => r != kept)) left.Terminate(now);
        await db.SaveChangesAsync(ct);
        if (rule is not null && kept is null)
        {
            db.RecurringTransactionRules.Add(rule);
            await db.SaveChangesAsync(ct);
        }
        return rule;
    }

    /// <summary>Termination of the wallet ends its rules.</summary>
    public Task TerminateAllAsync(Guid walletId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.RecurringTransactionRules.Where(r => r.WalletId == walletId && r.Status == WalletStatus.Active)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, WalletStatus.Terminated).SetProperty(r => r.TerminatedAt, now).SetProperty(r => r.UpdatedAt, now), ct);
    }

    private static RecurringTransactionRule New(Wallet wallet, DateTimeOffset now) => new()
    {
        Id = Ids.New(), OrganizationId = wallet.OrganizationId, WalletId = wallet.Id, Trigger = "",
        InvoiceRequiresSuccessfulPayment = wallet.InvoiceRequiresSuccessfulPayment, CreatedAt = now, UpdatedAt = now,
    };

    private static RecurringRuleInput? Parse(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object) return null;
        try
        {
            var input = item.Deserialize<RecurringRuleInput>(LagoJson.Options);
            if (input is not null) input.Sent = item.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            return input;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Sets what the input sends on the rule (a new one, or an active one being updated), then checks it as Lago's
    /// validator does, each sent item as a whole rule (an update by `lago_id` too): a known trigger, with the interval or
    /// the threshold it needs; a known method, a target rule's target (not below the threshold); credits that are decimals
    /// and not negative, paid credits worth at least one minor unit; a future expiration; valid metadata; top-ups lasting
/// 1 to 3650 days.
    /// </summary>
    private Result<RecurringTransactionRule> Apply(RecurringTransactionRule rule, RecurringRuleInput input, Wallet wallet)
    {
        var now = clock.GetUtcNow();
        if (input.Trigger is not (RuleTrigger.Interval or RuleTrigger.Threshold)) return Invalid;
        rule.Trigger = input.Trigger;
        if (input.Has("method")) rule.Method = input.Method ?? RuleMethod.Fixed;
        if (rule.Method is not (RuleMethod.Fixed or RuleMethod.Target)) return Invalid;

        if (rule.Trigger == RuleTrigger.Threshold) rule.Interval = null;
        else if (input.Interval is not { } interval || !TopUpSchedule.Intervals.Contains(interval)) return Invalid;
        else rule.Interval = interval;

        if (rule.Trigger == RuleTrigger.Threshold && input.ThresholdCredits is null) return Invalid;
        if (input.Method == RuleMethod.Target && input.TargetOngoingBalance is null) return Invalid;
        if (!TryCredits(input, "threshold_credits", input.ThresholdCredits, rule.ThresholdCredits, out var threshold)
            || !TryCredits(input, "paid_credits", input.PaidCredits, rule.PaidCredits, out var paid)
            || !TryCredits(input, "granted_credits", input.GrantedCredits, rule.GrantedCredits, out var granted))
            return Invalid;
        (rule.ThresholdCredits, rule.PaidCredits, rule.GrantedCredits) = (threshold, paid, granted);
        // A top-up of less than one minor unit could never be made.
        if (paid > 0 && (!wallet.Rate.TryFromCredits(paid, roundTrip: true, out var paidMoney) || paidMoney.AmountCents == 0)) return Invalid;

        if (rule.IsTarget)
        {
            if (input.Has("target_ongoing_balance"))
            {
                if (!DecimalText.TryParse(input.TargetOngoingBalance, out var target) || target < 0) return Invalid;
                rule.TargetOngoingBalance = CreditRate.FloorCredits(target);
            }
            if (rule.TargetOngoingBalance is not { } goal || (rule.Trigger == RuleTrigger.Threshold && goal < threshold)) return Invalid;
            if (input.Has("grants_target_top_up")) rule.GrantsTargetTopUp = input.GrantsTargetTopUp ?? false;
            rule.GrantsTargetTopUp ??= false;
        }
        else
        {
            if (input.GrantsTargetTopUp is not null) return Invalid;
            rule.TargetOngoingBalance = null;
            rule.GrantsTargetTopUp = null;
        }

        if (input.Has("started_at"))
        {
            if (string.IsNullOrWhiteSpace(input.StartedAt)) rule.StartedAt = null;
            else if (IsoTime.TryParse(input.StartedAt, out var started)) rule.StartedAt = started;
            else return Invalid;
        }
        if (input.Has("expiration_at"))
        {
            if (string.IsNullOrWhiteSpace(input.ExpirationAt)) rule.ExpirationAt = null;
            else if (IsoTime.TryParse(input.ExpirationAt, out var expires) && expires > now) rule.ExpirationAt = expires;
            else return Invalid;
        }
        if (input.InvoiceRequiresSuccessfulPayment is { } requires) rule.InvoiceRequiresSuccessfulPayment = requires;
        if (input.IgnorePaidTopUpLimits is { } ignore) rule.IgnorePaidTopUpLimits = ignore;
        if (input.Has("transaction_name"))
        {
            rule.TransactionName = string.IsNullOrWhiteSpace(input.TransactionName) ? null : input.TransactionName;
            if (rule.TransactionName is { Length: > 255 }) return Invalid;
        }
        if (input.Has("transaction_metadata"))
        {
            var pairs = input.TransactionMetadata ?? [];
            if (pairs.Count > 15 || pairs.Any(p => p is null || !MetadataPair.Validate(p).IsValid)) return Invalid;
            rule.TransactionMetadata = [.. pairs.OfType<KeyValue>()];
        }
        if (input.Has("transaction_expiration_days"))
        {
            if (input.TransactionExpirationDays is < 1 or > MaxTransactionExpirationDays) return Invalid;
            rule.TransactionExpirationDays = input.TransactionExpirationDays;
        }
        return rule;
    }

    /// <summary>A fixed rule's paid credits must fit the wallet's paid top-up limits, unless the rule ignores them.</summary>
    private static LagoError? CheckLimits(RecurringTransactionRule rule, Wallet wallet)
    {
        if (rule.IsTarget || rule.IgnorePaidTopUpLimits || rule.PaidCredits == 0) return null;
        if (!wallet.Rate.TryFromCredits(rule.PaidCredits, roundTrip: true, out var paid)) return Invalid;
        return TopUpAmounts.CheckLimits(wallet, paid) is null ? null : Invalid;
    }

    /// <summary>Credits sent as decimal text (or a JSON number), not negative; absent keeps <paramref name="current"/>, null is 0.</summary>
    private static bool TryCredits(RecurringRuleInput input, string key, string? text, decimal current, out decimal credits)
    {
        credits = current;
        if (!input.Has(key)) return true;
        if (text is null) { credits = 0; return true; }
        if (!DecimalText.TryParse(text, out var value) || value < 0) return false;
        credits = CreditRate.FloorCredits(value);
        return true;
    }

    private static decimal Credits(string? text) => DecimalText.TryParse(text, out var value) && value > 0 ? CreditRate.FloorCredits(value) : 0;
}
