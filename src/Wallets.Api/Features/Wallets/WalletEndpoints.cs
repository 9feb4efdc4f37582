using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Wallets;

/// <summary>Wallets by `lago_id` (`/wallets`) and by `code` within a customer (`/customers/{id}/wallets`).</summary>
public static class WalletEndpoints
{
    public static RouteGroupBuilder MapWalletEndpoints(this RouteGroupBuilder api)
    {
        var wallets = api.MapGroup("/wallets").WithTags("Wallets");
        wallets.MapPost("/", CreateWallet).WithName("createWallet").Accepts<WalletRequest>("application/json").Produces<WalletEnvelope>();
        wallets.MapGet("/", FindAllWallets).WithName("findAllWallets")
            .WithQuery("external_customer_id", "Only this customer's wallets (404 customer_not_found when it does not exist).")
            .WithQuery("currency", "Only wallets in this currency.").ProducesLagoErrors(404).Produces<WalletsPage>();
        wallets.MapGet("/{lago_id}", FindWallet).WithName("findWallet")
            .WithQuery("at", "ISO 8601 instant: the wallet as it stood then (balances and status). Beyond Lago.").ProducesLagoErrors(422).Produces<WalletEnvelope>();
        wallets.MapPut("/{lago_id}", UpdateWallet).WithName("updateWallet").Accepts<WalletRequest>("application/json").Produces<WalletEnvelope>();
        wallets.MapDelete("/{lago_id}", DestroyWallet).WithName("destroyWallet").Produces<WalletEnvelope>();
        wallets.MapWalletBalanceEndpoints();

        var byCode = api.MapGroup("/customers/{external_customer_id}/wallets").WithTags("Wallets");
        byCode.MapPost("/", CreateCustomerWallet).WithName("createCustomerWallet").Accepts<WalletRequest>("application/json").Produces<WalletEnvelope>();
        byCode.MapGet("/", FindAllCustomerWallets).WithName("findAllCustomerWallets")
            .WithQuery("currency", "Only wallets in this currency.").Produces<WalletsPage>();
        byCode.MapGet("/{code}", FindCustomerWallet).WithName("findCustomerWallet").Produces<WalletEnvelope>();
        byCode.MapPut("/{code}", UpdateCustomerWallet).WithName("updateCustomerWallet").Accepts<WalletRequest>("application/json").Produces<WalletEnvelope>();
        byCode.MapDelete("/{code}", DestroyCustomerWallet).WithName("destroyCustomerWallet").Produces<WalletEnvelope>();
        return api;
    }

    public sealed record WalletRequest(WalletInput Wallet);

    /// <summary>The wallet with its real-time ongoing balance, as this request's transaction (if any) sees it.</summary>
    private static async Task<IResult> AnswerAsync(Result<Wallet> result, WalletsDbContext db, OngoingBalances ongoing, CancellationToken ct)
    {
        if (!result.IsOk) return result.Error!.ToResult();
        var wallet = result.Value!;
        var usage = await ongoing.UsageOfAsync([wallet], db.Database.CurrentTransaction is null ? null : db, ct);
        return Answer(wallet, usage.GetValueOrDefault(wallet.Id));
    }

    /// <summary>A wallet read for a GET, with its real-time ongoing balance.</summary>
    private static async Task<IResult> AnswerAsync(Result<WalletRead> read, OngoingBalances ongoing, CancellationToken ct)
    {
        if (!read.IsOk) return read.Error!.ToResult();
        var wallet = read.Value!.Wallet;
        var usage = await ongoing.UsageOfAsync([read.Value], ct);
        return Answer(wallet, usage.GetValueOrDefault(wallet.Id));
    }

    private static IResult Answer(Wallet wallet, long ongoingUsageCents) =>
        Results.Json(new WalletEnvelope(WalletView.From(wallet, wallet.Customer.ExternalId, ongoingUsageCents)), LagoJson.Options);

    /// <summary>Creates a wallet for a customer, with its initial credits and recurring rule.</summary>
    private static async Task<IResult> CreateWallet(HttpRequest request, WalletsDbContext db, WalletHandler handler, OngoingBalances ongoing, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<WalletInput>(request, "wallet");
        return input.IsOk ? await AnswerAsync(await handler.CreateAsync(input.Value!, null, ct), db, ongoing, ct) : input.Error!.ToResult();
    }

    /// <summary>Creates a wallet for the customer in the path.</summary>
    private static async Task<IResult> CreateCustomerWallet(string external_customer_id, HttpRequest request, WalletsDbContext db, WalletHandler handler, OngoingBalances ongoing, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<WalletInput>(request, "wallet");
        return input.IsOk ? await AnswerAsync(await handler.CreateAsync(input.Value!, external_customer_id, ct), db, ongoing, ct) : input.Error!.ToResult();
    }

    /// <summary>Lists wallets, newest first (filters: `external_customer_id`, `currency`).</summary>
    private static async Task<IResult> FindAllWallets(HttpRequest request, WalletReads reads, OngoingBalances ongoing, CancellationToken ct)
    {
        if (request.Query["external_customer_id"].ToString() is not { Length: > 0 } externalId) return await ListAsync(request, null, reads, ongoing, ct);
        return await reads.CustomerIdAsync(externalId, ct) is { } customerId
            ? await ListAsync(request, customerId, reads, ongoing, ct)
            : LagoError.NotFound("customer").ToResult();
    }

    /// <summary>Lists a customer's wallets.</summary>
    private static async Task<IResult> FindAllCustomerWallets(string external_customer_id, HttpRequest request, WalletReads reads, OngoingBalances ongoing, CancellationToken ct) =>
        await reads.CustomerIdAsync(external_customer_id, ct) is { } customerId
            ? await ListAsync(request, customerId, reads, ongoing, ct)
            : LagoError.NotFound("customer").ToResult();

    private static async Task<IResult> ListAsync(HttpRequest request, Guid? customerId, WalletReads reads, OngoingBalances ongoing, CancellationToken ct)
    {
        var currency = request.Query["currency"].ToString() is { Length: > 0 } given ? given : null;
        var page = await reads.PageAsync(PageRequest.From(request), customerId, currency, ct);
        var usage = await ongoing.UsageOfAsync(page.Rows, ct);
        return Results.Json(new WalletsPage(
            page.Rows.Select(r => WalletView.From(r.Wallet, r.Wallet.Customer.ExternalId, usage.GetValueOrDefault(r.Wallet.Id))).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>A wallet by its lago_id, with its real-time ongoing balance; with `at`, as it stood at that instant.</summary>
    private static async Task<IResult> FindWallet(
        string lago_id, HttpRequest request, Tenant tenant, OngoingBalances ongoing, WalletBalances balances, TimeProvider clock, CancellationToken ct)
    {
        if (request.Query.TryGetValue("at", out var at)) return await WalletBalanceEndpoints.FindWalletAt(lago_id, at.ToString(), balances, clock, ct);
        // The hot read: the wallet and its ongoing balance's inputs in one round trip.
        var found = Guid.TryParse(lago_id, out var id) ? await ongoing.WalletByIdAsync(tenant.OrganizationId, id, ct) : null;
        return found is { Read.Wallet: var wallet, OngoingUsageCents: var usage } ? Answer(wallet, usage) : LagoError.NotFound("wallet").ToResult();
    }

    /// <summary>A customer's wallet by its code (the active one first).</summary>
    private static async Task<IResult> FindCustomerWallet(string external_customer_id, string code, WalletReads reads, OngoingBalances ongoing, CancellationToken ct) =>
        await AnswerAsync(await reads.ByCodeAsync(external_customer_id, code, ct), ongoing, ct);

    /// <summary>Updates a wallet (name, priority, expiration, limits, recurring rules, …).</summary>
    private static async Task<IResult> UpdateWallet(string lago_id, HttpRequest request, WalletsDbContext db, WalletHandler handler, OngoingBalances ongoing, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<WalletInput>(request, "wallet");
        if (!input.IsOk) return input.Error!.ToResult();
        var wallet = await WalletLookup.ByIdAsync(db, lago_id, ct);
        return await AnswerAsync(wallet.IsOk ? await handler.UpdateAsync(wallet.Value!, input.Value!, ct) : wallet, db, ongoing, ct);
    }

    /// <summary>Updates a customer's wallet, found by its code.</summary>
    private static async Task<IResult> UpdateCustomerWallet(
        string external_customer_id, string code, HttpRequest request, WalletsDbContext db, WalletHandler handler, OngoingBalances ongoing, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<WalletInput>(request, "wallet");
        if (!input.IsOk) return input.Error!.ToResult();
        var wallet = await WalletLookup.ByCodeAsync(db, external_customer_id, code, ct);
        return await AnswerAsync(wallet.IsOk ? await handler.UpdateAsync(wallet.Value!, input.Value!, ct) : wallet, db, ongoing, ct);
    }

    /// <summary>Terminates a wallet; what is left is voided.</summary>
    private static async Task<IResult> DestroyWallet(string lago_id, WalletsDbContext db, WalletHandler handler, OngoingBalances ongoing, CancellationToken ct) =>
        await AnswerAsync(Guid.TryParse(lago_id, out var id) ? await handler.TerminateAsync(id, ct) : LagoError.NotFound("wallet"), db, ongoing, ct);

    /// <summary>Terminates a customer's wallet, found by its code.</summary>
    private static async Task<IResult> DestroyCustomerWallet(
        string external_customer_id, string code, WalletsDbContext db, WalletHandler handler, OngoingBalances ongoing, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByCodeAsync(db, external_customer_id, code, ct);
        return await AnswerAsync(wallet.IsOk ? await handler.TerminateAsync(wallet.Value!.Id, ct) : wallet, db, ongoing, ct);
    }
}

/// <summary>Finding a wallet as the routes name it; a malformed id is a 404, as in Lago.</summary>
public static class WalletLookup
{
    public static async Task<Result<Wallet>> ByIdAsync(WalletsDbContext db, string lagoId, CancellationToken ct)
    {
        var wallet = Guid.TryParse(lagoId, out var id) ? await db.Wallets.Include(w => w.Customer).FirstOrDefaultAsync(w => w.Id == id, ct) : null;
        return wallet is null ? LagoError.NotFound("wallet") : wallet;
    }

    /// <summary>The active wallet with that code wins over terminated ones that once had it.</summary>
    public static async Task<Result<Wallet>> ByCodeAsync(WalletsDbContext db, string externalCustomerId, string code, CancellationToken ct)
    {
        var customerId = await db.Customers.Where(c => c.ExternalId == externalCustomerId).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (customerId is null) return LagoError.NotFound("customer");
        var wallet = await db.Wallets.Include(w => w.Customer).Where(w => w.CustomerId == customerId && w.Code == code)
            .OrderBy(w => w.Status != WalletStatus.Active).ThenByDescending(w => w.CreatedAt).FirstOrDefaultAsync(ct);
        return wallet is null ? LagoError.NotFound("wallet") : wallet;
    }
}
