using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Plans;

/// <summary>`/plans/{code}/charges`: a plan's charges one by one, addressed by their code.</summary>
public static class ChargeEndpoints
{
    public static RouteGroupBuilder MapChargeEndpoints(this RouteGroupBuilder plans)
    {
        var charges = plans.MapGroup("/{code}/charges");
        charges.MapPost("/", CreatePlanCharge).WithName("createPlanCharge").Accepts<ChargeRequest>("application/json").Produces<ChargeEnvelope>();
        charges.MapGet("/", FindAllPlanCharges).WithName("findAllPlanCharges").Produces<ChargesPage>();
        charges.MapGet("/{charge_code}", FindPlanCharge).WithName("findPlanCharge").Produces<ChargeEnvelope>();
        charges.MapPut("/{charge_code}", UpdatePlanCharge).WithName("updatePlanCharge").Accepts<ChargeRequest>("application/json").Produces<ChargeEnvelope>();
        charges.MapDelete("/{charge_code}", DestroyPlanCharge).WithName("destroyPlanCharge").Produces<ChargeEnvelope>();
        return plans;
    }

    private static ChargeEnvelope Envelope(Charge charge) => new(ChargeView.From(charge));

    /// <summary>Adds a charge to a plan.</summary>
    private static async Task<IResult> CreatePlanCharge(string code, HttpRequest request, ChargeHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<ChargeInput>(request, "charge");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.CreateAsync(code, input.Value!, ct)).ToHttp(Envelope);
    }

    /// <summary>Lists a plan's charges.</summary>
    private static async Task<IResult> FindAllPlanCharges(string code, HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var plan = db.Plans.Where(p => p.Code == code).Select(p => p.Id);
        if (!await plan.AnyAsync(ct)) return LagoError.NotFound("plan").ToResult();
        var charges = db.Charges.WithCatalog().Where(c => plan.Contains(c.PlanId)).OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id);
        var page = await PageRequest.From(request).ToPageAsync(charges, ct);
        return Results.Json(new ChargesPage(page.Rows.Select(ChargeView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>One charge of a plan, by its code.</summary>
    private static async Task<IResult> FindPlanCharge(string code, string charge_code, ChargeHandler handler, CancellationToken ct) =>
        (await handler.FindAsync(code, charge_code, ct)).ToHttp(Envelope);

    /// <summary>Updates one charge of a plan.</summary>
    private static async Task<IResult> UpdatePlanCharge(string code, string charge_code, HttpRequest request, ChargeHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<ChargeInput>(request, "charge");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.UpdateAsync(code, charge_code, input.Value!, ct)).ToHttp(Envelope);
    }

    // The body Lago allows here ({"charge": {"cascade_updates": …}}) is never read: there are no child plans to cascade to.
    /// <summary>Removes a charge from a plan.</summary>
    private static async Task<IResult> DestroyPlanCharge(string code, string charge_code, ChargeHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(code, charge_code, ct)).ToHttp(Envelope);
}
