using System.Text.Json;
using System.Text.Json.Serialization;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Wallets;

/// <summary>`POST /wallets` and `PUT /wallets/{id}` bodies (`WalletCreateInput`/`WalletUpdateInput`).</summary>
public sealed class WalletInput : Input
{
    public string? ExternalCustomerId { get; init; }
    [WireType(typeof(decimal?))] public string? RateAmount { get; init; }
    public string? Currency { get; init; }
    public string? Name { get; init; }
    public string? Code { get; init; }
    public int? Priority { get; init; }
    [WireType(typeof(decimal?))] public string? PaidCredits { get; init; }
    [WireType(typeof(decimal?))] public string? GrantedCredits { get; init; }
    [WireType(typeof(DateTimeOffset?))] public string? ExpirationAt { get; init; }
    public bool? InvoiceRequiresSuccessfulPayment { get; init; }
    public long? PaidTopUpMinAmountCents { get; init; }
    public long? PaidTopUpMaxAmountCents { get; init; }
    public bool? IgnorePaidTopUpLimitsOnCreation { get; init; }
    public string? TransactionName { get; init; }
    public List<KeyValue>? TransactionMetadata { get; init; }
    public int? TransactionPriority { get; init; }
    /// <summary>When the initial credits (paid or granted) expire: ISO 8601, in the future. Beyond Lago.</summary>
    [WireType(typeof(DateTimeOffset?))] public string? TransactionExpirationAt { get; init; }
    public AppliesToInput? AppliesTo { get; init; }
    public Dictionary<string, string?>? Metadata { get; init; }
    [WireType(typeof(List<RecurringRuleInput>))] public List<JsonElement>? RecurringTransactionRules { get; init; }
}

public sealed record AppliesToInput(List<string>? FeeTypes, List<string>? BillableMetricCodes);

public sealed record AppliesTo(IReadOnlyList<string> FeeTypes, IReadOnlyList<string> BillableMetricCodes);

/// <summary>Lago's payment method of a wallet, rule or transaction; this service has no payment providers.</summary>
public sealed record PaymentMethodView(string PaymentMethodType, Guid? PaymentMethodId)
{
    public static readonly PaymentMethodView Provider = new("provider", null);
}

public sealed record WalletEnvelope(WalletView Wallet);

public sealed record WalletsPage(IReadOnlyList<WalletView> Wallets, PageMeta Meta);

/// <summary>
/// Lago's wallet object (`WalletSerializer`); balances in credits are derived from cents, never stored apart. Added:
/// `held_credits`/`held_balance_cents`, what active holds reserve (part of the balance, not of the ongoing balance).
/// </summary>
public sealed record WalletView(
    Guid LagoId,
    Guid LagoCustomerId,
    string ExternalCustomerId,
    string? BillingEntityCode,
    string Status,
    string Currency,
    string? Name,
    string Code,
    int Priority,
    decimal RateAmount,
    decimal CreditsBalance,
    long BalanceCents,
    decimal ConsumedCredits,
    decimal CreditsOngoingBalance,
    decimal CreditsOngoingUsageBalance,
    long OngoingBalanceCents,
    long OngoingUsageBalanceCents,
    bool DepletedOngoingBalance,
    decimal HeldCredits,
    long HeldBalanceCents,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpirationAt,
    DateTimeOffset? LastBalanceSyncAt,
    DateTimeOffset? LastConsumedCreditAt,
    DateTimeOffset? TerminatedAt,
    bool InvoiceRequiresSuccessfulPayment,
    long? PaidTopUpMinAmountCents,
    long? PaidTopUpMaxAmountCents,
    string? PurchaseOrderNumber,
    IReadOnlyList<RecurringTransactionRuleView> RecurringTransactionRules,
    AppliesTo AppliesTo,
    IReadOnlyList<object> AppliedInvoiceCustomSections,
    PaymentMethodView PaymentMethod,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string?>? Metadata)
{
    /// <param name="ongoingUsageCents">The usage <see cref="OngoingBalances"/> allocated to this wallet (taxes included).</param>
    public static WalletView From(Wallet w, string externalCustomerId, long ongoingUsageCents)
    {
        var rate = w.Rate;
        var ongoingBalance = w.AvailableCents - ongoingUsageCents;
        return new WalletView(
            w.Id, w.CustomerId, externalCustomerId, null, w.Status, w.Currency, w.Name, w.Code, w.Priority, w.RateAmount,
            rate.FromCents(w.BalanceCents).Credits, w.BalanceCents, rate.FromCents(w.ConsumedAmountCents).Credits,
            rate.SignedCredits(ongoingBalance), rate.SignedCredits(ongoingUsageCents), ongoingBalance, ongoingUsageCents,
            IsDepleted(w.AvailableCents, ongoingUsageCents), rate.FromCents(w.HeldCents).Credits, w.HeldCents,
            w.CreatedAt, w.ExpirationAt, w.LastBalanceSyncAt, w.LastConsumedCreditAt, w.TerminatedAt,
            w.InvoiceRequiresSuccessfulPayment, w.PaidTopUpMinAmountCents, w.PaidTopUpMaxAmountCents, null,
            w.ActiveRule is { Status: WalletStatus.Active } rule ? [RecurringTransactionRuleView.From(rule)] : [],
            new AppliesTo([.. w.AllowedFeeTypes], [.. w.BillableMetricCodes]), [], PaymentMethodView.Provider,
            w.Metadata is { Count: > 0 } ? w.Metadata : null);
    }

    /// <summary>`depleted_ongoing_balance`: usage has taken the whole balance (a wallet without usage is not depleted).</summary>
    public static bool IsDepleted(long balanceCents, long ongoingUsageCents) => ongoingUsageCents > 0 && balanceCents - ongoingUsageCents <= 0;

}

/// <summary>Lago's recurring transaction rule object (`WalletRecurringTransactionRule`); credits as decimal strings.</summary>
/// <param name="TransactionExpirationDays">Beyond Lago: how many days each of its top-ups lasts (null: they never expire).</param>
public sealed record RecurringTransactionRuleView(
    Guid LagoId,
    string Trigger,
    string Method,
    string? Interval,
    string Status,
    decimal ThresholdCredits,
    decimal PaidCredits,
    decimal GrantedCredits,
    bool GrantsTargetTopUp,
    DateTimeOffset? StartedAt,
    decimal? TargetOngoingBalance,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpirationAt,
    bool InvoiceRequiresSuccessfulPayment,
    IReadOnlyList<KeyValue> TransactionMetadata,
    string? TransactionName,
    bool IgnorePaidTopUpLimits,
    IReadOnlyList<object> AppliedInvoiceCustomSections,
    PaymentMethodView PaymentMethod,
    string? PurchaseOrderNumber,
    int? TransactionExpirationDays)
{
    public static RecurringTransactionRuleView From(RecurringTransactionRule r) => new(
        r.Id, r.Trigger, r.Method, r.Interval, r.Status, r.ThresholdCredits, r.PaidCredits, r.GrantedCredits, r.GrantsTargetTopUp == true,
        r.StartedAt, r.TargetOngoingBalance, r.CreatedAt, r.ExpirationAt, r.InvoiceRequiresSuccessfulPayment, r.TransactionMetadata,
        r.TransactionName, r.IgnorePaidTopUpLimits, [], PaymentMethodView.Provider, null, r.TransactionExpirationDays);
}
