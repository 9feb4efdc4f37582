using Npgsql;

namespace Wallets.Bench.Billing;

/// <summary>
/// What the billing run starts from, written in one SQL transaction (the API would take minutes to create it): one
/// organization with a default 20 % tax, a monthly plan (49 € + 0.002 € per API call), and N customers, each on the plan
/// since <c>periodStart</c>, holding a 50-credit wallet; every fourth also holds a priority-10 wallet limited to usage
/// fees; seven in ten used the API in the period (the rows the events feature would have aggregated).
/// </summary>
public static class BillingSeed
{
    public static async Task<Guid> RunAsync(string connectionString, int subscriptions, DateTimeOffset periodStart)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var organization = Guid.CreateVersion7();
        await using var command = new NpgsqlCommand("""
            INSERT INTO organizations (id, name, created_at, updated_at) VALUES (@org, 'bench-billing', @at, @at);
            INSERT INTO taxes (id, organization_id, name, code, rate, applied_to_organization, created_at, updated_at)
                VALUES (gen_random_uuid(), @org, 'VAT', 'vat', 20, true, @at, @at);
            INSERT INTO billable_metrics (id, organization_id, name, code, aggregation_type, field_name, created_at, updated_at)
                VALUES (@metric, @org, 'API calls', 'api_calls', 'sum_agg', 'calls', @at, @at);
            INSERT INTO plans (id, organization_id, name, code, "interval", amount_cents, amount_currency, created_at, updated_at)
                VALUES (@plan, @org, 'Pro', 'pro', 'monthly', 4900, 'EUR', @at, @at);
            INSERT INTO charges (id, organization_id, plan_id, billable_metric_id, code, charge_model, properties, created_at, updated_at)
                VALUES (@charge, @org, @plan, @metric, 'api_calls', 'standard', '{"amount": "0.002"}', @at, @at);

            CREATE TEMP TABLE seed ON COMMIT DROP AS
                SELECT n, gen_random_uuid() AS customer_id, gen_random_uuid() AS subscription_id,
                       gen_random_uuid() AS wallet_id, gen_random_uuid() AS grant_id,
                       gen_random_uuid() AS usage_wallet_id, gen_random_uuid() AS usage_grant_id
                FROM generate_series(1, @n) AS n;
            INSERT INTO customers (id, organization_id, sequential_id, external_id, currency, created_at, updated_at)
                SELECT customer_id, @org, n, 'customer-' || n, 'EUR', @at, @at FROM seed;
            INSERT INTO wallets (id, organization_id, customer_id, status, name, code, priority, currency, rate_amount, balance_cents, created_at, updated_at)
                SELECT wallet_id, @org, customer_id, 'active', 'Main', 'main', 50, 'EUR', 1, 5000, @at, @at FROM seed;
            INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status,
                    amount_cents, credit_amount, remaining_amount_cents, settled_at, created_at, updated_at)
                SELECT grant_id, @org, customer_id, wallet_id, 'inbound', 'settled', 'granted', 5000, 50, 5000, @at, @at, @at FROM seed;
            INSERT INTO wallets (id, organization_id, customer_id, status, name, code, priority, currency, rate_amount, balance_cents,
                    allowed_fee_types, created_at, updated_at)
                SELECT usage_wallet_id, @org, customer_id, 'active', 'Usage', 'usage', 10, 'EUR', 1, 1000, '{charge}', @at, @at
                FROM seed WHERE n % 4 = 0;
            INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status,
                    amount_cents, credit_amount, remaining_amount_cents, settled_at, created_at, updated_at)
                SELECT usage_grant_id, @org, customer_id, usage_wallet_id, 'inbound', 'settled', 'purchased', 1000, 10, 1000, @at, @at, @at
                FROM seed WHERE n % 4 = 0;
            INSERT INTO subscriptions (id, organization_id, customer_id, plan_id, external_id, status, billing_time,
                    subscription_at, started_at, created_at, updated_at)
                SELECT subscription_id, @org, customer_id, @plan, 'subscription-' || n, 'active', 'calendar', @at, @at, @at, @at FROM seed;
            INSERT INTO charge_usage (organization_id, subscription_id, charge_id, period_from, units, events_count, updated_at)
                SELECT @org, subscription_id, @charge, @at, (n % 5000) * 10, n % 100 + 1, @at FROM seed WHERE n % 10 < 7;
            """, connection, tx);
        command.Parameters.AddWithValue("org", organization);
        command.Parameters.AddWithValue("metric", Guid.CreateVersion7());
        command.Parameters.AddWithValue("plan", Guid.CreateVersion7());
        command.Parameters.AddWithValue("charge", Guid.CreateVersion7());
        command.Parameters.AddWithValue("at", periodStart);
        command.Parameters.AddWithValue("n", subscriptions);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
        await tx.CommitAsync();

        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
        return organization;
    }
}
