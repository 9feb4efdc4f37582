using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Plans;

public static class PlanEndpoints
{
    public static RouteGroupBuilder MapPlanEndpoints(this RouteGroupBuilder api)
    {
        var plans = api.MapGroup("/plans").WithTags("Plans");
        plans.MapPost("/", CreatePlan).WithName("createPlan").ProducesLagoErrors(404).Accepts<PlanRequest>("application/json").Produces<PlanEnvelope>();
        plans.MapGet("/", FindAllPlans).WithName("findAllPlans").Produces<PlansPage>();
        plans.MapGet("/{code}", FindPlan).WithName("findPlan").Produces<PlanEnvelope>();
        plans.MapPut("/{code}", UpdatePlan).WithName("updatePlan").Accepts<PlanRequest>("application/json").Produces<PlanEnvelope>();
        plans.MapDelete("/{code}", DestroyPlan).WithName("destroyPlan").Produces<PlanEnvelope>();
        plans.MapChargeEndpoints();
        return api;
    }

    /// <summary>Creates a plan with its charges and taxes.</summary>
    private static async Task<IResult> CreatePlan(HttpRequest request, PlanHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<PlanInput>(request, "plan");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.CreateAsync(input.Value!, ct)).ToHttp(p => new PlanEnvelope(p));
    }

    /// <summary>Lists plans, newest first.</summary>
    private static async Task<IResult> FindAllPlans(HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var page = await PageRequest.From(request).ToPageAsync(db.Plans.WithCatalog().OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id), ct);
        return Results.Json(new PlansPage(await PlanQueries.ViewsAsync(db, page.Rows, ct), page.Meta), LagoJson.Options);
    }

    /// <summary>A plan by its code, with its charges.</summary>
    private static async Task<IResult> FindPlan(string code, WalletsDbContext db, CancellationToken ct)
    {
        var plan = await db.Plans.WithCatalog().FirstOrDefaultAsync(p => p.Code == code, ct);
        return plan is null
            ? LagoError.NotFound("plan").ToResult()
            : Results.Json(new PlanEnvelope(await PlanQueries.ViewAsync(db, plan, ct)), LagoJson.Options);
    }

    /// <summary>Updates a plan; `charges`, when sent, is its whole set.</summary>
    private static async Task<IResult> UpdatePlan(string code, HttpRequest request, PlanHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<PlanInput>(request, "plan");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.UpdateAsync(code, input.Value!, ct)).ToHttp(p => new PlanEnvelope(p));
    }

    /// <summary>Deletes a plan.</summary>
    private static async Task<IResult> DestroyPlan(string code, PlanHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(code, ct)).ToHttp(p => new PlanEnvelope(p));
}
