using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Alerts;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

/// <summary>
/// Credits that expire one by one: `expiration_at` on top-ups and grants, voided at that instant (on the next touch of the
/// wallet, or by the grant expiry job), never spent after it. The clock is moved by hand; the jobs run when a test says.
/// </summary>
public sealed class GrantExpiryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private GrantExpiryJob Job => api.Services.GetRequiredService<GrantExpiryJob>();

    /// <summary>A whole second an hour or more ahead (the API shows seconds), far enough that each test has its own.</summary>
    private DateTimeOffset Later(int hours = 1)
    {
        var at = api.Clock.GetUtcNow().AddHours(hours);
        return new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero).AddSeconds(1);
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private static async Task<JsonNode> TransactionAsync(HttpClient client, string id) =>
        (await client.GetJsonAsync($"/api/v1/wallet_transactions/{id}")).Ok()["wallet_transaction"]!;

    private static async Task<List<(string Id, string Credits)>> LinksAsync(HttpClient client, string id, string kind) =>
        (await client.GetJsonAsync($"/api/v1/wallet_transactions/{id}/{kind}")).Ok()[$"wallet_transaction_{kind}"]!.AsArray()
        .Select(l => ((string)l!["wallet_transaction"]!["lago_id"]!, (string)l["credit_amount"]!)).ToList();

    private static async Task<List<JsonNode>> VoidsAsync(HttpClient client, string wallet) =>
        (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/wallet_transactions?transaction_status=voided")).Ok()["wallet_transactions"]!
        .AsArray().Select(t => t!).Reverse().ToList();

    [Fact]
    public async Task A_debit_just_before_the_expiry_spends_the_expiring_grant_first_and_just_after_it_never_even_before_the_job_ran()
    {
        var client = await api.NewOrganizationClientAsync();
        var expires = Later();
        var wallet = await client.CustomerWithWalletAsync("before-after", ("granted_credits", "100"));
        var expiring = (await client.TopUpAsync(wallet, ("granted_credits", "30"), ("expiration_at", Iso(expires)))).Ok()["wallet_transactions"]![0]!;
        Assert.Equal(Iso(expires), (string?)expiring["expiration_at"]);
        var lasting = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/wallet_transactions")).Ok()["wallet_transactions"]!.AsArray()
            .Single(t => (string?)t!["lago_id"] != expiring.Id())!;
        Assert.Null(lasting["expiration_at"]);

        // Newer, but it expires: spent first.
        api.Clock.AdvanceTo(expires.AddSeconds(-1));
        var before = await client.VoidAsync(wallet, "10");
        Assert.Equal([(expiring.Id(), "10.0")], await LinksAsync(client, before, "fundings"));

        api.Clock.AdvanceTo(expires);
        var after = await client.VoidAsync(wallet, "10");
        Assert.Equal([(lasting.Id(), "10.0")], await LinksAsync(client, after, "fundings"));

        // The void took what was left of the expired grant first, dated at its expiry, in the same request.
        var expiry = Assert.Single(await VoidsAsync(client, wallet), v => v.Id() != before && v.Id() != after);
        Assert.Equal(("20.0", Iso(expires)), ((string)expiry["credit_amount"]!, (string)expiry["settled_at"]!));
        Assert.Equal([(expiry.Id(), "20.0"), (before, "10.0")], (await LinksAsync(client, expiring.Id(), "consumptions")).OrderByDescending(l => l.Credits));
        Assert.Equal(0, (long)(await TransactionAsync(client, expiring.Id()))["remaining_amount_cents"]!);
        Assert.Equal(9000, await api.BalanceCentsAsync(wallet));
        (await client.TopUpAsync(wallet, ("voided_credits", "1"), ("voided_transaction_id", expiring.Id())))
            .ExpectValidation("voided_transaction_id", "no_remaining_amount");
        await Job.RunOnceAsync(CancellationToken.None);
        Assert.Equal(3, (await VoidsAsync(client, wallet)).Count);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task The_job_voids_what_an_untouched_wallets_grant_holds_traced_to_it_with_its_webhook_once()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        var expires = Later();
        var wallet = await client.CustomerWithWalletAsync("untouched", ("granted_credits", "5"));
        var grant = (await client.TopUpAsync(wallet, ("granted_credits", "12"), ("expiration_at", Iso(expires)))).Ok()["wallet_transactions"]![0]!;
        api.Clock.AdvanceTo(expires.AddSeconds(-1));
        await Job.RunOnceAsync(CancellationToken.None);
        Assert.Empty(await VoidsAsync(client, wallet));

        // Two processes' rounds at once (other tests' wallets may be due too): the grant expires once.
        api.Clock.AdvanceTo(expires.AddSeconds(2));
        await Task.WhenAll(Job.RunOnceAsync(CancellationToken.None), Job.RunOnceAsync(CancellationToken.None));

        var expiry = Assert.Single(await VoidsAsync(client, wallet));
        Assert.Equal(("outbound", "settled", "12.0", Iso(expires)),
            ((string)expiry["transaction_type"]!, (string)expiry["status"]!, (string)expiry["credit_amount"]!, (string)expiry["settled_at"]!));
        Assert.Null(expiry["expiration_at"]);
        Assert.Equal([(grant.Id(), "12.0")], await LinksAsync(client, expiry.Id(), "fundings"));
        Assert.Equal("5.0", (string?)(await client.GetWalletAsync(wallet))["credits_balance"]);
        var sent = (await WebhookPayloadsAsync(organization)).Where(w => (string?)w["wallet_transaction"]!["lago_id"] == expiry.Id()).ToList();
        Assert.Equal("wallet_transaction.created", (string?)Assert.Single(sent)["webhook_type"]);
        Assert.True(JsonNode.DeepEquals(await TransactionAsync(client, expiry.Id()), sent[0]["wallet_transaction"]), sent[0].ToJsonString());

        await Job.RunOnceAsync(CancellationToken.None);
        Assert.Single(await VoidsAsync(client, wallet));
        Assert.True(await api.ScalarAsync<bool>("SELECT next_expiration_at IS NULL FROM wallets WHERE id = @id", ("id", Guid.Parse(wallet))));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task An_expiration_that_is_not_a_future_instant_is_refused_and_nothing_is_written()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("refused", ("granted_credits", "5"));
        var past = Iso(api.Clock.GetUtcNow().AddMinutes(-1));

        (await api.UnchangedAsync(() => client.TopUpAsync(wallet, ("paid_credits", "10"), ("granted_credits", "3"), ("expiration_at", past))))
            .ExpectLagoValidation("expiration_at", "date_in_past");
        (await api.UnchangedAsync(() => client.TopUpAsync(wallet, ("granted_credits", "3"), ("expiration_at", "next year"))))
            .ExpectLagoValidation("expiration_at", "invalid_date");
        await client.NewCustomerAsync("refused-create");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new
        {
            wallet = ValidationSetup.WalletBody("refused-create", ("granted_credits", "3"), ("transaction_expiration_at", past)),
        }))).ExpectLagoValidation("transaction_expiration_at", "date_in_past");
    }

    [Fact]
    public async Task Transaction_expiration_at_on_wallet_create_applies_to_its_initial_paid_and_granted_credits()
    {
        var client = await api.NewOrganizationClientAsync();
        var expires = Later();
        var wallet = await client.CustomerWithWalletAsync("initial", ("paid_credits", "20"), ("granted_credits", "10"),
            ("transaction_expiration_at", Iso(expires)));
        var initial = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/wallet_transactions")).Ok()["wallet_transactions"]!.AsArray();
        Assert.Equal(2, initial.Count);
        Assert.All(initial, t => Assert.Equal(Iso(expires), (string?)t!["expiration_at"]));
        var invoice = (string)initial.Single(t => (string?)t!["transaction_status"] == "purchased")!["lago_invoice_id"]!;
        (await client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded" } })).Ok();
        Assert.Equal(3000, await api.BalanceCentsAsync(wallet));

        api.Clock.AdvanceTo(expires.AddSeconds(1));
        await Job.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, (await VoidsAsync(client, wallet)).Count);
        var wallet1 = await client.GetWalletAsync(wallet);
        Assert.Equal(("active", 0L), ((string)wallet1["status"]!, (long)wallet1["balance_cents"]!));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Credits_paid_for_after_their_expiry_are_never_spendable()
    {
        var client = await api.NewOrganizationClientAsync();
        var expires = Later();
        var wallet = await client.CustomerWithWalletAsync("late-payment");
        var purchase = (await client.TopUpAsync(wallet, ("paid_credits", "8"), ("expiration_at", Iso(expires)))).Ok()["wallet_transactions"]![0]!;
        api.Clock.AdvanceTo(expires.AddMinutes(1));
        (await client.PutAsync($"/api/v1/invoices/{(string)purchase["lago_invoice_id"]!}", new { invoice = new { payment_status = "succeeded" } })).Ok();

        // Before any job round: the void is refused, as its request wrote the expiry first.
        (await client.TopUpAsync(wallet, ("voided_credits", "1"))).ExpectValidation("voided_credits", "insufficient_credits");
        Assert.Equal(0, await api.BalanceCentsAsync(wallet));
        Assert.Equal("8.0", (string?)Assert.Single(await VoidsAsync(client, wallet))["credit_amount"]);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task The_balance_at_an_instant_counts_an_expiry_from_the_expiry_instant_however_late_it_was_written()
    {
        var client = await api.NewOrganizationClientAsync();
        var expires = Later();
        var wallet = await client.CustomerWithWalletAsync("history", ("granted_credits", "10"));
        await client.TopUpAsync(wallet, ("granted_credits", "5"), ("expiration_at", Iso(expires)));
        api.Clock.AdvanceTo(expires.AddMinutes(10));
        await Job.RunOnceAsync(CancellationToken.None);
        Assert.Single(await VoidsAsync(client, wallet));

        async Task<string> At(DateTimeOffset at) =>
            (string)(await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at={Uri.EscapeDataString(Iso(at))}")).Ok()["wallet"]!["credits_balance"]!;
        Assert.Equal("15.0", await At(expires.AddSeconds(-1)));
        Assert.Equal("10.0", await At(expires));
        Assert.Equal("10.0", await At(expires.AddMinutes(5)));
    }

    [Fact]
    public async Task Termination_and_wallet_expiry_still_void_everything_expired_grants_by_their_own_expiry_first()
    {
        var client = await api.NewOrganizationClientAsync();
        var expires = Later();
        var terminated = await client.CustomerWithWalletAsync("terminated", ("granted_credits", "10"));
        await client.TopUpAsync(terminated, ("granted_credits", "5"), ("expiration_at", Iso(expires)));
        var walletExpires = Later(2);
        var expiring = await client.CustomerWithWalletAsync("wallet-expiry", ("granted_credits", "10"), ("expiration_at", Iso(walletExpires)));
        await client.TopUpAsync(expiring, ("granted_credits", "7"), ("expiration_at", Iso(Later(3))));

        api.Clock.AdvanceTo(expires.AddSeconds(30));
        (await client.DeleteJsonAsync($"/api/v1/wallets/{terminated}")).Ok();
        Assert.Equal([("5.0", Iso(expires)), ("10.0", null)],
            (await VoidsAsync(client, terminated)).Select(v => ((string)v["credit_amount"]!, (string?)v["settled_at"] == Iso(expires) ? Iso(expires) : null)));

        api.Clock.AdvanceTo(walletExpires.AddSeconds(1));
        await api.Services.GetRequiredService<WalletExpiryJob>().RunOnceAsync(CancellationToken.None);
        Assert.Equal("terminated", (string?)(await client.GetWalletAsync(expiring))["status"]);
        Assert.Equal("17.0", (string?)Assert.Single(await VoidsAsync(client, expiring))["credit_amount"]);
        api.Clock.AdvanceTo(Later(3));
        await Job.RunOnceAsync(CancellationToken.None);
        Assert.Single(await VoidsAsync(client, expiring));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_recurring_rule_says_how_many_days_each_of_its_top_ups_lasts()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("rule");
        static object[] Rules(object? days) =>
            [new Dictionary<string, object?> { ["trigger"] = "threshold", ["threshold_credits"] = "5", ["granted_credits"] = "10", ["transaction_expiration_days"] = days }];
        foreach (var bad in new object?[] { 0, 3651, "a month" })
            (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = ValidationSetup.WalletBody("rule", ("recurring_transaction_rules", Rules(bad))) })))
                .ExpectLagoValidation("recurring_transaction_rules", "invalid_recurring_rule");

        var wallet = await client.NewWalletAsync("rule", ("recurring_transaction_rules", Rules(30)));
        Assert.Equal(30, (int)wallet["recurring_transaction_rules"]![0]!["transaction_expiration_days"]!);
        await api.Services.GetRequiredService<RecurringTopUpJob>().RunOnceAsync(CancellationToken.None);
        var topUp = (await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions")).Ok()["wallet_transactions"]!.AsArray().Single()!;
        Assert.Equal("threshold", (string?)topUp["source"]);
        var lasts = DateTimeOffset.Parse((string)topUp["expiration_at"]!) - DateTimeOffset.Parse((string)topUp["created_at"]!);
        Assert.InRange(lasts, TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1), TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));

        var rule = (string)wallet["recurring_transaction_rules"]![0]!["lago_id"]!;
        var updated = (await client.PutAsync($"/api/v1/wallets/{wallet.Id()}", new
        {
            wallet = new { recurring_transaction_rules = new[] { new { lago_id = rule, trigger = "threshold", threshold_credits = "5", transaction_expiration_days = (int?)null } } },
        })).Ok()["wallet"]!;
        Assert.Null(updated["recurring_transaction_rules"]![0]!["transaction_expiration_days"]);
    }

    [Fact]
    public async Task The_database_refuses_a_next_expiry_that_would_hide_an_open_grant_from_the_job()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("guarded");
        await client.TopUpAsync(wallet, ("granted_credits", "5"), ("expiration_at", Iso(Later())));

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            api.ScalarAsync<int>("UPDATE wallets SET next_expiration_at = NULL WHERE id = @id; SELECT 1", ("id", Guid.Parse(wallet))));
        Assert.Equal("wallet_next_expiration_bounds_grants", refused.ConstraintName);
    }

    private async Task<List<JsonNode>> WebhookPayloadsAsync(Guid organization)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT payload::text FROM webhooks WHERE organization_id = $1 AND webhook_type LIKE 'wallet\\_transaction.%'", connection)
        { Parameters = { new NpgsqlParameter { Value = organization } } };
        await using var reader = await command.ExecuteReaderAsync();
        var payloads = new List<JsonNode>();
        while (await reader.ReadAsync()) payloads.Add(JsonNode.Parse(reader.GetString(0))!);
        return payloads;
    }
}
