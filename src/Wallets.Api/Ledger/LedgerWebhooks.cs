using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Holds;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Ledger;

/// <summary>
/// A webhook the ledger sends, serialized only when some endpoint wants it (at the end of the unit of work, so the
/// object is as the change left it). About its rows, as Lago sends them: `wallet_transaction.created` for every row a
/// change creates (top-ups, grants, voids, invoice debits, regrants, recurring top-ups, captures; also the voids of
/// termination and expiry, which Lago does not make), `wallet_transaction.updated` when a purchase settles or fails,
/// and `wallet_transaction.payment_failure` when its payment fails. About holds: `hold.created`, `hold.captured`,
/// `hold.released` and `hold.expired`, with the hold as the API returns it.
/// </summary>
public sealed record LedgerWebhook(Guid OrganizationId, string Type, Func<WebhookMessage> Message)
{
    public const string Created = "wallet_transaction.created";
    public const string Updated = "wallet_transaction.updated";
    public const string PaymentFailure = "wallet_transaction.payment_failure";

    public static LedgerWebhook Of(string type, WalletTransaction transaction, Wallet wallet) => new(wallet.OrganizationId, type, () => type == PaymentFailure
        ? new WebhookMessage(wallet.OrganizationId, type, "payment_provider_wallet_transaction_payment_error", new PaymentError(
            transaction.Id, wallet.CustomerId, wallet.Customer?.ExternalId ?? "", null, null, null, null))
        : new WebhookMessage(wallet.OrganizationId, type, "wallet_transaction", WalletTransactionView.From(transaction, wallet)));

    /// <summary>`hold.created`, `hold.captured`, `hold.released` or `hold.expired`, as its status names it; the hold as it is now.</summary>
    public static LedgerWebhook Of(Hold hold)
    {
        var type = $"hold.{(hold.Status == HoldStatus.Active ? "created" : hold.Status)}";
        var view = HoldView.From(hold);
        return new(hold.OrganizationId, type, () => new WebhookMessage(hold.OrganizationId, type, "hold", view));
    }

    /// <summary>
    /// Lago's `payment_provider_wallet_transaction_payment_error`. Payments are reported to this service
    /// (`PUT /invoices/{id}`), not collected by it, so there is no provider, provider customer or provider error to name.
    /// </summary>
    private sealed record PaymentError(
        Guid LagoWalletTransactionId, Guid LagoCustomerId, string ExternalCustomerId, string? ProviderCustomerId,
        string? PaymentProvider, string? PaymentProviderCode, object? ProviderError);
}

/// <summary>
/// Which webhook types the organizations' endpoints subscribe to, read inside the transaction that writes the rows
/// (with the ledger's other reads), so a payload is serialized only when some endpoint will get it.
/// </summary>
public sealed class WebhookSubscriptions
{
    private readonly Dictionary<Guid, List<string[]?>> _byOrganization = [];

    public const string Sql = "SELECT organization_id, event_types FROM webhook_endpoints WHERE organization_id = ANY($1)";

    public bool Knows(Guid organizationId) => _byOrganization.ContainsKey(organizationId);

    public bool Wants(Guid organizationId, string type) =>
        _byOrganization.TryGetValue(organizationId, out var endpoints) && endpoints.Any(e => e is null || e.Contains(type));

    public static NpgsqlBatchCommand Command(Guid[] organizationIds) => LedgerChanges.Command(Sql, organizationIds);

    /// <summary>Reads the result of <see cref="Command"/> for these organizations (one with no row has no endpoint).</summary>
    public async Task ReadAsync(NpgsqlDataReader reader, IEnumerable<Guid> organizationIds, CancellationToken ct)
    {
        foreach (var id in organizationIds) _byOrganization.TryAdd(id, []);
        while (await reader.ReadAsync(ct))
            _byOrganization[reader.GetGuid(0)].Add(reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1));
    }
}
