using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Subscriptions;

public sealed class SubscriptionHandler(
    WalletsDbContext db, Tenant tenant, TimeProvider clock, CustomerHandler customers, SubscriptionLifecycle lifecycle, SubscriptionWebhooks webhooks,
    RequestTransaction request)
{
    /// <summary>
    /// Lago's create: an unknown customer is created on the fly (with the plan's currency); the same external id,
    /// customer and plan again returns the existing subscription. Changing plan through this route is not supported yet.
    /// </summary>
    public async Task<Result<Subscription>> CreateAsync(SubscriptionInput input, CancellationToken ct)
    {
        var plan = await db.Plans.FirstOrDefaultAsync(p => p.Code == input.PlanCode, ct);
        if (plan is null) return LagoError.NotFound("plan");
        var now = clock.GetUtcNow();
        var startsAt = IsoTime.TryParse(input.SubscriptionAt, out var sent) ? sent : now;
        if (new SubscriptionValidator(creating: true, startsAt, Today(now)).Check(input) is { } invalid) return invalid;

        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == input.ExternalCustomerId, ct);
        // Lago: a customer bills in one currency, set by its first plan or wallet.
        if (customer?.Currency is { } currency && currency != plan.AmountCurrency) return LagoError.Validation("currency", "currencies_does_not_match");
        var existing = await db.Subscriptions.FirstOrDefaultAsync(s => s.ExternalId == input.ExternalId
            && (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.Pending), ct);
        if (existing is not null)
            return existing.CustomerId == customer?.Id && existing.PlanId == plan.Id ? existing : ExternalIdTaken;

        if (customer is null)
        {
            var created = await customers.UpsertAsync(new CustomerInput
            {
                ExternalId = input.ExternalCustomerId, Currency = plan.AmountCurrency, Sent = new HashSet<string> { "external_id", "currency" },
            }, ct);
            if (!created.IsOk) return created.Error!;
            customer = created.Value!;
        }

        customer.Currency ??= plan.AmountCurrency;
        var subscription = new Subscription
        {
            Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, CustomerId = customer.Id, PlanId = plan.Id,
            ExternalId = input.ExternalId!, Name = input.Name, BillingTime = input.BillingTime ?? "calendar",
            SubscriptionAt = startsAt, EndingAt = EndingAt(input), CreatedAt = now, UpdatedAt = now, Status = SubscriptionStatus.Pending,
        };
        StartIfDue(subscription, customer, now);
        db.Subscriptions.Add(subscription);
        await using var tx = await request.BeginOrJoinAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
            if (subscription.Status == SubscriptionStatus.Active) await webhooks.EnqueueAsync(subscription, "subscription.started", ct);
            await tx.CommitAsync(ct);
            return subscription;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request made a live subscription with this external id first.
            return ExternalIdTaken;
        }
    }

    /// <summary>Name and end date of any subscription; the start date of a pending one (which starts it when due).</summary>
    public async Task<Result<Subscription>> UpdateAsync(string externalId, string? status, SubscriptionInput input, CancellationToken ct)
    {
        var subscription = await FindForUpdateAsync(externalId, status, ct);
        if (subscription is null) return LagoError.NotFound("subscription");
        var now = clock.GetUtcNow();
        var startsAt = subscription.Status == SubscriptionStatus.Pending && IsoTime.TryParse(input.SubscriptionAt, out var sent) ? sent : subscription.SubscriptionAt;
        if (new SubscriptionValidator(creating: false, startsAt, Today(now)).Check(input) is { } invalid) return invalid;

        if (input.Has("name")) subscription.Name = input.Name;
        if (input.Has("ending_at")) subscription.EndingAt = EndingAt(input);
        var wasPending = subscription.Status == SubscriptionStatus.Pending;
        if (subscription.Status == SubscriptionStatus.Pending && input.Has("subscription_at"))
        {
            subscription.SubscriptionAt = startsAt;
            var customer = await db.Customers.IgnoreQueryFilters().FirstAsync(c => c.Id == subscription.CustomerId, ct);
            StartIfDue(subscription, customer, now);
        }

        // A later start date must not overtake an end date that was not sent again.
        if (subscription.EndingAt <= subscription.SubscriptionAt) return LagoError.Validation("ending_at", "invalid_date");
        subscription.UpdatedAt = now;
        await using var tx = await request.BeginOrJoinAsync(ct);
        await db.SaveChangesAsync(ct);
        if (wasPending && subscription.Status == SubscriptionStatus.Active) await webhooks.EnqueueAsync(subscription, "subscription.started", ct);
        await tx.CommitAsync(ct);
        return subscription;
    }

    /// <summary>Terminates the active subscription, or with `status=pending` cancels the pending one.</summary>
    public async Task<Result<Subscription>> TerminateAsync(string externalId, string? status, CancellationToken ct)
    {
        var wanted = status == SubscriptionStatus.Pending ? SubscriptionStatus.Pending : SubscriptionStatus.Active;
        var subscription = await db.Subscriptions.FirstOrDefaultAsync(s => s.ExternalId == externalId && s.Status == wanted, ct);
        if (subscription is null) return LagoError.NotFound("subscription");
        await using var tx = await request.BeginOrJoinAsync(ct);
        await lifecycle.EndAsync(subscription, clock.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return subscription;
    }

    // Lago: with several subscriptions under one external id, `status` (default active) picks; with one, it is that one.
    private async Task<Subscription?> FindForUpdateAsync(string externalId, string? status, CancellationToken ct)
    {
        var all = await db.Subscriptions.Where(s => s.ExternalId == externalId).OrderByDescending(s => s.SubscriptionAt).ToListAsync(ct);
        if (all.Count <= 1) return all.FirstOrDefault();
        var wanted = status == SubscriptionStatus.Pending ? SubscriptionStatus.Pending : SubscriptionStatus.Active;
        return all.FirstOrDefault(s => s.Status == wanted);
    }

    // Lago compares calendar days in the customer's time zone: a subscription dated today or earlier starts now.
    private static void StartIfDue(Subscription subscription, Customer customer, DateTimeOffset now)
    {
        var zone = SubscriptionViews.ZoneOf(customer);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(subscription.SubscriptionAt, zone).DateTime);
        if (day > DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime)) return;
        subscription.Status = SubscriptionStatus.Active;
        subscription.StartedAt = subscription.SubscriptionAt;
    }

    private static DateTimeOffset? EndingAt(SubscriptionInput input) => IsoTime.TryParse(input.EndingAt, out var end) ? end : null;

    private static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);

    private static LagoError ExternalIdTaken => LagoError.Validation("external_id", "value_already_exist");
}
