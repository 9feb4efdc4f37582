using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Plans;

public sealed class PlanHandler(
    WalletsDbContext db, Tenant tenant, TimeProvider clock, ChargeWriter writer, SubscriptionLifecycle lifecycle, RequestTransaction request)
{
    private static readonly PlanValidator Validator = new(); // stateless, and costly to build

    public async Task<Result<PlanView>> CreateAsync(PlanInput input, CancellationToken ct)
    {
        if (input.Charges?.Any(c => c is null) == true) return LagoError.Validation("charges", "value_is_invalid");
        var inputs = input.Charges?.Select(c => c!).ToList() ?? [];
        // Lago checks that every metric exists before anything else, with this plural code.
        var metrics = await writer.MetricsAsync(inputs, "billable_metrics", ct);
        if (!metrics.IsOk) return metrics.Error!;

        var now = clock.GetUtcNow();
        var plan = new Plan
        {
            Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, Name = "", Code = "", Interval = "",
            AmountCurrency = "", CreatedAt = now, UpdatedAt = now,
        };
        Apply(plan, input, creating: true, locked: false);
        var failures = new PlanValidator(creatingFrom: input).Validate(plan).Errors;
        var (pairs, chargeFailures) = PlanCharges.Replace(plan, inputs, metrics.Value!, locked: false, now, writer, db);
        failures.AddRange(chargeFailures);

        if (failures.Count > 0) return Validation.ToError(new ValidationResult(failures))!;
        if (await ApplyTaxesAsync(plan, input, pairs, now, ct) is { } missing) return missing;
        if (await db.Plans.AnyAsync(p => p.Code == plan.Code, ct)) return CodeTaken;

        db.Plans.Add(plan);
        return await SaveAsync(plan, ct);
    }

    /// <summary>
    /// Changes what the input sends. `charges`, when sent, is the plan's whole list: entries match existing charges by
    /// `id`, else by `code`, and are updated; the others are created; existing charges left out are deleted.
    /// </summary>
    public async Task<Result<PlanView>> UpdateAsync(string code, PlanInput input, CancellationToken ct)
    {
        var plan = await db.Plans.WithCatalog().FirstOrDefaultAsync(p => p.Code == code, ct);
        if (plan is null) return LagoError.NotFound("plan");
        if (input.Charges?.Any(c => c is null) == true) return LagoError.Validation("charges", "value_is_invalid");
        var inputs = input.Charges?.Select(c => c!).ToList() ?? [];
        var metrics = await writer.MetricsAsync(inputs, "billable_metrics", ct);
        if (!metrics.IsOk) return metrics.Error!;

        // As in Lago, a plan with subscriptions keeps its code, interval, currency, timing and charge pricing models.
        var locked = await db.Subscriptions.AnyAsync(s => s.PlanId == plan.Id, ct);
        var now = clock.GetUtcNow();
        Apply(plan, input, creating: false, locked);
        plan.UpdatedAt = now;
        var failures = Validator.Validate(plan).Errors;
        List<(Charge, ChargeInput)> pairs = [];
        if (input.Charges is not null)
        {
            (pairs, var chargeFailures) = PlanCharges.Replace(plan, inputs, metrics.Value!, locked, now, writer, db);
            failures.AddRange(chargeFailures);
        }

        if (failures.Count > 0) return Validation.ToError(new ValidationResult(failures))!;
        if (await ApplyTaxesAsync(plan, input, pairs, now, ct) is { } missing) return missing;
        if (plan.Code != code && await db.Plans.AnyAsync(p => p.Code == plan.Code && p.Id != plan.Id, ct)) return CodeTaken;
        return await SaveAsync(plan, ct);
    }

    /// <summary>A soft delete, as Lago's: active subscriptions to the plan are terminated, pending ones canceled.</summary>
    public async Task<Result<PlanView>> DeleteAsync(string code, CancellationToken ct)
    {
        var plan = await db.Plans.WithCatalog().FirstOrDefaultAsync(p => p.Code == code, ct);
        if (plan is null) return LagoError.NotFound("plan");
        var view = await PlanQueries.ViewAsync(db, plan, ct);

        var now = clock.GetUtcNow();
        await using var tx = await request.BeginOrJoinAsync(ct);
        await lifecycle.EndAllOfPlanAsync(plan, now, ct);
        foreach (var charge in plan.Charges) charge.DeletedAt = now;
        plan.DeletedAt = now;
        plan.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return view;
    }

    private static void Apply(Plan plan, PlanInput input, bool creating, bool locked)
    {
        bool Sets(string key) => creating || input.Has(key);
        if (Sets("name")) plan.Name = input.Name ?? "";
        if (Sets("invoice_display_name")) plan.InvoiceDisplayName = input.InvoiceDisplayName;
        if (Sets("description")) plan.Description = input.Description;
        if (Sets("amount_cents")) plan.AmountCents = input.AmountCents ?? 0;
        if (locked) return;
        if (Sets("code")) plan.Code = input.Code ?? "";
        if (Sets("interval")) plan.Interval = input.Interval ?? "";
        if (Sets("amount_currency")) plan.AmountCurrency = input.AmountCurrency ?? "";
        if (Sets("trial_period")) plan.TrialPeriod = input.TrialPeriod;
        if (Sets("pay_in_advance")) plan.PayInAdvance = input.PayInAdvance ?? false;
        // Only yearly and semiannual plans may bill charges monthly; for others Lago stores null.
        if (Sets("bill_charges_monthly") || Sets("interval"))
            plan.BillChargesMonthly = plan.Interval is "yearly" or "semiannual" ? input.BillChargesMonthly ?? plan.BillChargesMonthly ?? false : null;
    }

    private async Task<LagoError?> ApplyTaxesAsync(Plan plan, PlanInput input, List<(Charge, ChargeInput)> charges, DateTimeOffset now, CancellationToken ct)
    {
        if (input.TaxCodes is not null)
        {
            var taxes = await TaxCodes.ResolveAsync(db, input.TaxCodes, ct);
            if (!taxes.IsOk) return taxes.Error;
            TaxCodes.Replace(plan.AppliedTaxes, taxes.Value!, tax => new PlanTax
            {
                OrganizationId = plan.OrganizationId, PlanId = plan.Id, TaxId = tax.Id, Tax = tax, CreatedAt = now,
            });
        }

        foreach (var (charge, chargeInput) in charges)
            if (await writer.ApplyTaxesAsync(charge, chargeInput, now, ct) is { } missing) return missing;
        return null;
    }

    private static LagoError CodeTaken => LagoError.Validation("code", "value_already_exist");

    private async Task<Result<PlanView>> SaveAsync(Plan plan, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request took the plan code between our check and this write.
            return CodeTaken;
        }

        return await PlanQueries.ViewAsync(db, plan, ct);
    }
}
