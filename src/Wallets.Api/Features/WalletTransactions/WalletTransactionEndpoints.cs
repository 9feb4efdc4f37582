using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.WalletTransactions;

public static class WalletTransactionEndpoints
{
    public static RouteGroupBuilder MapWalletTransactionEndpoints(this RouteGroupBuilder api)
    {
        var transactions = api.MapGroup("/wallet_transactions").WithTags("Wallet transactions");
        transactions.MapPost("/", CreateWalletTransaction).WithName("createWalletTransaction")
            .Accepts<WalletTransactionRequest>("application/json").Produces<WalletTransactionsEnvelope>();
        transactions.MapGet("/{lago_id}", FindWalletTransaction).WithName("findWalletTransaction").Produces<WalletTransactionEnvelope>();
        transactions.MapGet("/{lago_id}/consumptions", FindAllWalletTransactionConsumptions)
            .WithName("findAllWalletTransactionConsumptions").Produces<ConsumptionsPage>();
        transactions.MapGet("/{lago_id}/fundings", FindAllWalletTransactionFundings)
            .WithName("findAllWalletTransactionFundings").Produces<FundingsPage>();
        transactions.MapPost("/{lago_id}/payment_url", WalletTransactionPaymentUrl).WithName("walletTransactionPaymentUrl");
        api.MapGet("/wallets/{lago_id}/wallet_transactions", FindAllWalletTransactions).WithTags("Wallet transactions")
            .WithName("findAllWalletTransactions")
            .WithQuery("status", "`pending`, `settled` or `failed`.")
            .WithQuery("transaction_type", "`inbound` or `outbound`.")
            .WithQuery("transaction_status", "`purchased`, `granted`, `voided` or `invoiced`.")
            .WithQuery("metadata[key]", "Only transactions whose metadata has this key with this value (repeat for several keys).").Produces<WalletTransactionsPage>();
        return api;
    }

    public sealed record WalletTransactionRequest(WalletTransactionInput WalletTransaction);

    /// <summary>Tops up (`paid_credits`), grants (`granted_credits`) or voids (`voided_credits`, `voided_transaction_id`) credits of a wallet.</summary>
    private static async Task<IResult> CreateWalletTransaction(HttpRequest request, TopUpHandler handler, WalletsDbContext db, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<WalletTransactionInput>(request, "wallet_transaction");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.HandleAsync(input.Value!, ct)).ToHttp(created =>
            new WalletTransactionsEnvelope(created.Select(t => WalletTransactionView.From(t, t.Wallet)).ToList()));
    }

    /// <summary>A wallet transaction by its lago_id.</summary>
    private static async Task<IResult> FindWalletTransaction(string lago_id, WalletTransactionReads reads, CancellationToken ct)
    {
        var transaction = await FindAsync(reads, lago_id, ct);
        return transaction is null
            ? LagoError.NotFound("wallet_transaction").ToResult()
            : Results.Json(new WalletTransactionEnvelope(WalletTransactionView.From(transaction, transaction.Wallet)), LagoJson.Options);
    }

    /// <summary>Lago's filters: status, transaction_type, transaction_status, metadata[key]=value; unknown values are ignored.</summary>
    private static async Task<IResult> FindAllWalletTransactions(string lago_id, HttpRequest request, WalletsDbContext db, WalletTransactionReads reads, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByIdAsync(db, lago_id, ct);
        if (!wallet.IsOk) return wallet.Error!.ToResult();
        var page = await reads.PageAsync(wallet.Value!.Id, TransactionFilter.From(request.Query), PageRequest.From(request), ct);
        return Results.Json(new WalletTransactionsPage(page.Rows.Select(t => WalletTransactionView.From(t, wallet.Value!)).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>Seen from a grant: the debits that consumed it.</summary>
    private static async Task<IResult> FindAllWalletTransactionConsumptions(string lago_id, HttpRequest request, WalletTransactionReads reads, CancellationToken ct)
    {
        var grant = await FindAsync(reads, lago_id, ct);
        if (grant is null) return LagoError.NotFound("wallet_transaction").ToResult();
        if (!grant.IsInbound) return LagoError.Validation("transaction_type", "invalid_transaction_type").ToResult();
        var page = await reads.ConsumptionsAsync(grant, PageRequest.From(request), ct);
        return Results.Json(new ConsumptionsPage(page.Rows, page.Meta), LagoJson.Options);
    }

    /// <summary>Seen from a debit: the grants that paid for it.</summary>
    private static async Task<IResult> FindAllWalletTransactionFundings(string lago_id, HttpRequest request, WalletTransactionReads reads, CancellationToken ct)
    {
        var debit = await FindAsync(reads, lago_id, ct);
        if (debit is null) return LagoError.NotFound("wallet_transaction").ToResult();
        if (debit.IsInbound) return LagoError.Validation("transaction_type", "invalid_transaction_type").ToResult();
        var page = await reads.FundingsAsync(debit, PageRequest.From(request), ct);
        return Results.Json(new FundingsPage(page.Rows, page.Meta), LagoJson.Options);
    }

    /// <summary>
    /// Lago's refusals first; past them, a payment URL needs the customer's payment provider, and no customer has
    /// one in this service, so it answers as Lago does for a customer without one rather than inventing a URL.
    /// </summary>
    private static async Task<IResult> WalletTransactionPaymentUrl(string lago_id, WalletTransactionReads reads, CancellationToken ct)
    {
        var transaction = await FindAsync(reads, lago_id, ct);
        if (transaction is null) return LagoError.NotFound("wallet_transaction").ToResult();
        var refusal = transaction.TransactionStatus != TxKind.Purchased ? "wallet_transaction_not_purchased"
            : transaction.Status == TxStatus.Settled ? "wallet_transaction_already_settled"
            : transaction.InvoiceId is null ? "wallet_transaction_has_no_attached_invoice"
            : "no_linked_payment_provider";
        return LagoError.Validation("base", refusal).ToResult();
    }

    private static Task<WalletTransaction?> FindAsync(WalletTransactionReads reads, string lagoId, CancellationToken ct) =>
        Guid.TryParse(lagoId, out var id) ? reads.FindAsync(id, ct) : Task.FromResult<WalletTransaction?>(null);
}
