using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Usage;

/// <summary>`GET /customers/{external_customer_id}/current_usage` (Lago's findCustomerCurrentUsage).</summary>
public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/customers/{external_customer_id}/current_usage", FindCustomerCurrentUsage)
            .WithTags("Customers").WithName("findCustomerCurrentUsage")
            .WithQuery("external_subscription_id", "The subscription whose current period to price.", required: true)
            .WithQuery("apply_taxes", "`false`: amounts without taxes (default `true`).").ProducesLagoErrors(405).Produces<CustomerUsageEnvelope>();
        return api;
    }

    /// <summary>
    /// Lago: an unknown customer is a 404; a missing, unknown or inactive subscription is 405 no_active_subscription.
    /// `apply_taxes=false` leaves taxes out.
    /// </summary>
    private static async Task<IResult> FindCustomerCurrentUsage(
        string external_customer_id, HttpRequest request, WalletsDbContext db, UsageCalculator calculator, TimeProvider clock, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().Where(c => c.ExternalId == external_customer_id).Select(c => new { c.Id, c.Timezone }).FirstOrDefaultAsync(ct);
        if (customer is null) return LagoError.NotFound("customer").ToResult();
        var externalId = request.Query["external_subscription_id"].ToString();
        var subscription = externalId.Length == 0 ? null : await db.Subscriptions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.CustomerId == customer.Id && s.ExternalId == externalId && s.Status == SubscriptionStatus.Active, ct);
        if (subscription is null) return LagoError.NotAllowed("no_active_subscription").ToResult();

        var applyTaxes = !bool.TryParse(request.Query["apply_taxes"], out var apply) || apply;
        var usage = await calculator.CurrentAsync(subscription, clock.GetUtcNow(), ct);
        return Results.Json(new CustomerUsageEnvelope(View(usage, applyTaxes, SubscriptionViews.ZoneOf(customer.Timezone))), LagoJson.Options);
    }

    private static CustomerUsageView View(SubscriptionUsage usage, bool applyTaxes, TimeZoneInfo zone)
    {
        var started = usage.Subscription.StartedAt ?? usage.Period.From;
        var taxes = applyTaxes ? usage.TaxesAmountCents : 0;
        // Lago issues the invoice the day after the period ends, in the customer's time zone.
        var issuing = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(usage.Period.NextFrom, zone).DateTime);
        var charges = usage.ChargeFees.GroupBy(f => f.Charge.Id).Select(fees =>
        {
            var charge = fees.First().Charge;
            var metric = charge.BillableMetric;
            var units = fees.Sum(f => f.Units);
            // One entry per target-wallet group, only for charges that split their fees that way (and have usage).
            var grouped = charge.AcceptsTargetWallet && fees.Any(f => f.EventsCount > 0)
                ? fees.Select(f => new GroupedUsageView(f.AmountCents, f.EventsCount, UnitsText.Of(f.Units), UnitsText.Of(f.Units),
                    new Dictionary<string, string?> { ["target_wallet_code"] = f.TargetWalletCode }, [])).ToList()
                : [];
            return new ChargeUsageView(UnitsText.Of(units), UnitsText.Of(units), fees.Sum(f => f.EventsCount), fees.Sum(f => f.AmountCents),
                usage.Currency, new ChargeRef(charge.Id, charge.ChargeModel, charge.InvoiceDisplayName),
                new MetricRef(metric.Id, metric.Name, metric.Code, metric.AggregationType), [], grouped);
        }).ToList();
        return new CustomerUsageView(started > usage.Period.From ? started : usage.Period.From, usage.Period.To,
            issuing.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, usage.Currency,
            usage.AmountCents, taxes, usage.AmountCents + taxes, charges);
    }
}
