using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Subscriptions;

public static class SubscriptionEndpoints
{
    public static RouteGroupBuilder MapSubscriptionEndpoints(this RouteGroupBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        subscriptions.MapPost("/", CreateSubscription).WithName("createSubscription").ProducesLagoErrors(404)
            .Accepts<SubscriptionRequest>("application/json").Produces<SubscriptionEnvelope>();
        subscriptions.MapGet("/", FindAllSubscriptions).WithName("findAllSubscriptions")
            .WithQuery("external_customer_id", "Only this customer's subscriptions.")
            .WithQuery("plan_code", "Only subscriptions to this plan.")
            .WithQuery("status[]", "`active` (default), `pending`, `terminated`, `canceled`; repeat for several.")
            .WithQuery("status", "One status (as `status[]`).").Produces<SubscriptionsPage>();
        subscriptions.MapGet("/{external_id}", FindSubscription).WithName("findSubscription")
            .WithQuery("status", "Which of the subscriptions sharing the external id (default `active`).").Produces<SubscriptionEnvelope>();
        subscriptions.MapPut("/{external_id}", UpdateSubscription).WithName("updateSubscription")
            .Accepts<SubscriptionRequest>("application/json").Produces<SubscriptionEnvelope>();
        subscriptions.MapDelete("/{external_id}", DestroySubscription).WithName("destroySubscription").Produces<SubscriptionEnvelope>();
        api.MapGet("/customers/{external_customer_id}/subscriptions", FindAllCustomerSubscriptions)
            .WithTags("Subscriptions").WithName("findAllCustomerSubscriptions")
            .WithQuery("plan_code", "Only subscriptions to this plan.")
            .WithQuery("status[]", "`active` (default), `pending`, `terminated`, `canceled`; repeat for several.")
            .WithQuery("status", "One status (as `status[]`).").Produces<SubscriptionsPage>();
        return api;
    }

    /// <summary>Subscribes a customer to a plan.</summary>
    private static async Task<IResult> CreateSubscription(HttpRequest request, SubscriptionHandler handler, SubscriptionViews views, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<SubscriptionInput>(request, "subscription");
        if (!input.IsOk) return input.Error!.ToResult();
        return await RenderAsync(await handler.CreateAsync(input.Value!, ct), views, ct);
    }

    /// <summary>Lists subscriptions, newest first.</summary>
    private static async Task<IResult> FindAllSubscriptions(HttpRequest request, WalletsDbContext db, SubscriptionViews views, CancellationToken ct)
    {
        var query = db.Subscriptions.AsQueryable();
        if (request.Query["external_customer_id"].ToString() is { Length: > 0 } customer)
            query = query.Where(s => db.Customers.Any(c => c.Id == s.CustomerId && c.ExternalId == customer));
        return await PageAsync(request, query, db, views, ct);
    }

    /// <summary>Lists a customer's subscriptions.</summary>
    private static async Task<IResult> FindAllCustomerSubscriptions(string external_customer_id, HttpRequest request, WalletsDbContext db, SubscriptionViews views, CancellationToken ct)
    {
        var customer = await db.Customers.Where(c => c.ExternalId == external_customer_id).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (customer is null) return LagoError.NotFound("customer").ToResult();
        return await PageAsync(request, db.Subscriptions.Where(s => s.CustomerId == customer), db, views, ct);
    }

    // Lago's filters: plan_code, and status[] (only active ones unless statuses are named).
    private static async Task<IResult> PageAsync(HttpRequest request, IQueryable<Subscription> query, WalletsDbContext db, SubscriptionViews views, CancellationToken ct)
    {
        if (request.Query["plan_code"].ToString() is { Length: > 0 } planCode)
            query = query.Where(s => db.Plans.Any(p => p.Id == s.PlanId && p.Code == planCode));
        var statuses = request.Query["status[]"].Concat(request.Query["status"]).Where(s => s is not null).Select(s => s!).ToList();
        if (statuses.Count == 0) statuses = [SubscriptionStatus.Active];
        query = query.Where(s => statuses.Contains(s.Status)).OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Id);
        var page = await PageRequest.From(request).ToPageAsync(query, ct);
        return Results.Json(new SubscriptionsPage(await views.ManyAsync(page.Rows, withPlan: false, ct), page.Meta), LagoJson.Options);
    }

    // Lago: `status` (default active) picks among the subscriptions sharing the external id; the current one first.
    /// <summary>A subscription by its external id.</summary>
    private static async Task<IResult> FindSubscription(string external_id, HttpRequest request, WalletsDbContext db, SubscriptionViews views, CancellationToken ct)
    {
        var status = request.Query["status"].ToString() is { Length: > 0 } sent ? sent : SubscriptionStatus.Active;
        var subscription = await db.Subscriptions.Where(s => s.ExternalId == external_id && s.Status == status)
            .OrderByDescending(s => s.TerminatedAt == null).ThenByDescending(s => s.TerminatedAt).ThenByDescending(s => s.StartedAt)
            .FirstOrDefaultAsync(ct);
        return subscription is null
            ? LagoError.NotFound("subscription").ToResult()
            : Results.Json(new SubscriptionEnvelope(await views.OneAsync(subscription, ct)), LagoJson.Options);
    }

    /// <summary>Updates a subscription (name, ending date, …).</summary>
    private static async Task<IResult> UpdateSubscription(string external_id, HttpRequest request, SubscriptionHandler handler, SubscriptionViews views, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<SubscriptionInput>(request, "subscription");
        if (!input.IsOk) return input.Error!.ToResult();
        return await RenderAsync(await handler.UpdateAsync(external_id, request.Query["status"], input.Value!, ct), views, ct);
    }

    /// <summary>Terminates a subscription.</summary>
    private static async Task<IResult> DestroySubscription(string external_id, HttpRequest request, SubscriptionHandler handler, SubscriptionViews views, CancellationToken ct) =>
        await RenderAsync(await handler.TerminateAsync(external_id, request.Query["status"], ct), views, ct);

    private static async Task<IResult> RenderAsync(Result<Subscription> result, SubscriptionViews views, CancellationToken ct) =>
        result.IsOk
            ? Results.Json(new SubscriptionEnvelope(await views.OneAsync(result.Value!, ct)), LagoJson.Options)
            : result.Error!.ToResult();
}
