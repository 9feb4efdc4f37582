using Wallets.Api.Data;
using System.ComponentModel.DataAnnotations;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>`POST /wallet_transactions` body: a top-up, a grant and/or a void, in one request.</summary>
public sealed class WalletTransactionInput : Input
{
    [Required] public string? WalletId { get; init; }
    [WireType(typeof(decimal?))] public string? PaidCredits { get; init; }
    [WireType(typeof(decimal?))] public string? GrantedCredits { get; init; }
    [WireType(typeof(decimal?))] public string? VoidedCredits { get; init; }
    public string? VoidedTransactionId { get; init; }
    public string? Name { get; init; }
    public int? Priority { get; init; }
    public List<KeyValue>? Metadata { get; init; }
    public bool? InvoiceRequiresSuccessfulPayment { get; init; }
    public bool? IgnorePaidTopUpLimits { get; init; }
    /// <summary>When the credits this request creates (paid or granted) expire: ISO 8601, in the future. Beyond Lago.</summary>
    [WireType(typeof(DateTimeOffset?))] public string? ExpirationAt { get; init; }
}

public sealed record WalletTransactionsEnvelope(IReadOnlyList<WalletTransactionView> WalletTransactions);

public sealed record WalletTransactionEnvelope(WalletTransactionView WalletTransaction);

public sealed record WalletTransactionsPage(IReadOnlyList<WalletTransactionView> WalletTransactions, PageMeta Meta);

public sealed record ConsumptionsPage(IReadOnlyList<LedgerLinkView> WalletTransactionConsumptions, PageMeta Meta);

public sealed record FundingsPage(IReadOnlyList<LedgerLinkView> WalletTransactionFundings, PageMeta Meta);

/// <summary>A consumption (seen from the grant) or a funding (seen from the debit), with the other side embedded.</summary>
public sealed record LedgerLinkView(Guid LagoId, long AmountCents, decimal CreditAmount, DateTimeOffset CreatedAt, WalletTransactionView WalletTransaction);

/// <summary>Lago's wallet transaction object, and `expiration_at` (beyond Lago).</summary>
/// <param name="ExpirationAt">When an inbound transaction's remaining credits expire (null: never, and on outbound ones).</param>
public sealed record WalletTransactionView(
    Guid LagoId,
    Guid LagoWalletId,
    Guid? LagoInvoiceId,
    Guid? LagoCreditNoteId,
    Guid? LagoVoidedInvoiceId,
    string? BillingEntityCode,
    string Status,
    string Source,
    string TransactionStatus,
    string TransactionType,
    decimal Amount,
    decimal CreditAmount,
    long? RemainingAmountCents,
    decimal? RemainingCreditAmount,
    int Priority,
    string? Name,
    bool InvoiceRequiresSuccessfulPayment,
    IReadOnlyList<KeyValue> Metadata,
    DateTimeOffset? SettledAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset CreatedAt,
    string? PurchaseOrderNumber,
    PaymentMethodView PaymentMethod,
    IReadOnlyList<object> AppliedInvoiceCustomSections,
    DateTimeOffset? ExpirationAt)
{
    public static WalletTransactionView From(WalletTransaction t, Wallet wallet)
    {
        var rate = wallet.Rate;
        return new WalletTransactionView(
            t.Id, t.WalletId, t.InvoiceId, t.CreditNoteId, t.VoidedInvoiceId, null, t.Status, t.Source, t.TransactionStatus,
            t.TransactionType, (decimal)t.AmountCents / rate.Currency.SubunitToUnit, t.CreditAmount, t.RemainingAmountCents,
            t.RemainingAmountCents is { } remaining ? rate.FromCents(remaining).Credits : null,
            t.Priority, t.Name, t.InvoiceRequiresSuccessfulPayment, t.Metadata, t.SettledAt, t.FailedAt, t.CreatedAt, null,
            PaymentMethodView.Provider, [], t.ExpirationAt);
    }
}
