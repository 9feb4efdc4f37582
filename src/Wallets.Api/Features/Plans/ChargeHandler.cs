using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Plans;

/// <summary>The `/plans/{code}/charges` routes: one charge at a time.</summary>
public sealed class ChargeHandler(WalletsDbContext db, TimeProvider clock, ChargeWriter writer)
{
    public async Task<Result<Charge>> CreateAsync(string planCode, ChargeInput input, CancellationToken ct)
    {
        var plan = await db.Plans.Include(p => p.Charges).FirstOrDefaultAsync(p => p.Code == planCode, ct);
        if (plan is null) return LagoError.NotFound("plan");
        if (input.BillableMetricId is null) return LagoError.Validation("billable_metric_id", "value_is_mandatory");
        var metrics = await writer.MetricsAsync([input], "billable_metric", ct);
        if (!metrics.IsOk) return metrics.Error!;

        var now = clock.GetUtcNow();
        var charge = writer.Create(plan, input, ChargeWriter.MetricOf(input, metrics.Value!)!, now);
        var taken = plan.Charges.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        if (input.Code is null) charge.Code = ChargeWriter.FreeCode(charge.BillableMetric.Code, taken);
        else if (taken.Contains(charge.Code)) return CodeTaken;
        if (ToError(ChargeWriter.Check(charge)) is { } invalid) return invalid;
        if (await writer.ApplyTaxesAsync(charge, input, now, ct) is { } missing) return missing;

        db.Charges.Add(charge);
        return await SaveAsync(charge, ct);
    }

    public async Task<Result<Charge>> UpdateAsync(string planCode, string chargeCode, ChargeInput input, CancellationToken ct)
    {
        var found = await FindAsync(planCode, chargeCode, ct);
        if (!found.IsOk) return found.Error!;
        var charge = found.Value!;
        var metrics = await writer.MetricsAsync([input], "billable_metric", ct);
        if (!metrics.IsOk) return metrics.Error!;

        // As in Lago, the pricing model of a charge whose plan has subscriptions stays as it is.
        var locked = await db.Subscriptions.AnyAsync(s => s.PlanId == charge.PlanId, ct);
        var now = clock.GetUtcNow();
        ChargeWriter.Apply(charge, input, ChargeWriter.MetricOf(input, metrics.Value!), creating: false, locked);
        charge.UpdatedAt = now;
        if (charge.Code != chargeCode && await db.Charges.AnyAsync(c => c.PlanId == charge.PlanId && c.Code == charge.Code, ct)) return CodeTaken;
        if (ToError(ChargeWriter.Check(charge)) is { } invalid) return invalid;
        if (await writer.ApplyTaxesAsync(charge, input, now, ct) is { } missing) return missing;
        return await SaveAsync(charge, ct);
    }

    /// <summary>A soft delete; Lago's optional `{"charge": {"cascade_updates": …}}` body is accepted and ignored (no child plans here).</summary>
    public async Task<Result<Charge>> DeleteAsync(string planCode, string chargeCode, CancellationToken ct)
    {
        var found = await FindAsync(planCode, chargeCode, ct);
        if (!found.IsOk) return found.Error!;
        var now = clock.GetUtcNow();
        found.Value!.DeletedAt = now;
        found.Value.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return found.Value;
    }

    /// <summary>The live charge with this code in the live plan with that code: 404 `plan_not_found` or `charge_not_found`.</summary>
    public async Task<Result<Charge>> FindAsync(string planCode, string chargeCode, CancellationToken ct)
    {
        var plan = await db.Plans.Where(p => p.Code == planCode).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
        if (plan is null) return LagoError.NotFound("plan");
        var charge = await db.Charges.WithCatalog().FirstOrDefaultAsync(c => c.PlanId == plan && c.Code == chargeCode, ct);
        return charge is null ? LagoError.NotFound("charge") : charge;
    }

    private static LagoError? ToError(IEnumerable<ValidationFailure> failures) => Validation.ToError(new ValidationResult(failures));

    private static LagoError CodeTaken => LagoError.Validation("code", "value_already_exist");

    private async Task<Result<Charge>> SaveAsync(Charge charge, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return charge;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request took the charge code between our check and this write.
            return CodeTaken;
        }
    }
}
