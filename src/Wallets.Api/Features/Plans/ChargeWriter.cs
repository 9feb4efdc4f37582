using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Plans;

/// <summary>Builds and changes charges the same way for `POST /plans`, `PUT /plans/{code}` and the charges routes.</summary>
public sealed class ChargeWriter(WalletsDbContext db, Tenant tenant)
{
    private static readonly ChargeValidator Validator = new(); // stateless, and costly to build

    /// <summary>The metrics the inputs name, by id; a malformed or unknown id is a 404 `{resource}_not_found`.</summary>
    public async Task<Result<Dictionary<Guid, BillableMetric>>> MetricsAsync(IEnumerable<ChargeInput> inputs, string resource, CancellationToken ct)
    {
        var ids = new HashSet<Guid>();
        foreach (var input in inputs.Where(i => i.BillableMetricId is not null))
        {
            if (!Guid.TryParse(input.BillableMetricId, out var id)) return LagoError.NotFound(resource);
            ids.Add(id);
        }

        var metrics = ids.Count == 0 ? [] : await db.BillableMetrics.Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        return metrics.Count == ids.Count ? metrics : LagoError.NotFound(resource);
    }

    /// <summary>The metric an input names, once <see cref="MetricsAsync"/> has checked it exists.</summary>
    public static BillableMetric? MetricOf(ChargeInput input, Dictionary<Guid, BillableMetric> metrics) =>
        input.BillableMetricId is { } id ? metrics[Guid.Parse(id)] : null;

    /// <summary>A new charge of the plan. <paramref name="createdAt"/> differs per charge so the plan lists them in the order sent.</summary>
    public Charge Create(Plan plan, ChargeInput input, BillableMetric metric, DateTimeOffset createdAt)
    {
        var charge = new Charge
        {
            Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, PlanId = plan.Id, BillableMetricId = metric.Id,
            BillableMetric = metric, Code = "", ChargeModel = "", CreatedAt = createdAt, UpdatedAt = createdAt,
        };
        Apply(charge, input, metric, creating: true, locked: false);
        return charge;
    }

    /// <summary>
    /// Copies what the input sets onto the charge. While the plan has subscriptions it is <paramref name="locked"/>:
    /// as in Lago, only the display name, properties, filters, taxes (and here the wallet targeting) may change.
    /// </summary>
    public static void Apply(Charge charge, ChargeInput input, BillableMetric? metric, bool creating, bool locked)
    {
        bool Sets(string key, object? value) => creating || input.Gives(key, value);
        var previousModel = charge.ChargeModel;
        if (!locked)
        {
            if (metric is not null)
            {
                charge.BillableMetricId = metric.Id;
                charge.BillableMetric = metric;
            }

            if (input.Code is not null) charge.Code = input.Code;
            if (Sets("charge_model", input.ChargeModel)) charge.ChargeModel = input.ChargeModel ?? "";
            if (Sets("pay_in_advance", input.PayInAdvance)) charge.PayInAdvance = input.PayInAdvance ?? false;
            if (Sets("invoiceable", input.Invoiceable)) charge.Invoiceable = input.Invoiceable ?? true;
            if (Sets("prorated", input.Prorated)) charge.Prorated = input.Prorated ?? false;
            if (Sets("regroup_paid_fees", input.RegroupPaidFees)) charge.RegroupPaidFees = input.RegroupPaidFees;
            if (Sets("min_amount_cents", input.MinAmountCents)) charge.MinAmountCents = input.MinAmountCents ?? 0;
        }

        if (Sets("invoice_display_name", input.InvoiceDisplayName)) charge.InvoiceDisplayName = input.InvoiceDisplayName;
        // New properties, or a new model without them, replace the old ones (a new model gets Lago's defaults).
        if (Sets("properties", input.Properties) || charge.ChargeModel != previousModel)
            charge.Properties = ChargeProperties.Keep(charge.ChargeModel, input.Properties);
        if (Sets("filters", input.Filters)) charge.Filters = (input.Filters ?? []).Select(f => Filter(charge.ChargeModel, f)).ToList();
        if (Sets("accepts_target_wallet", input.AcceptsTargetWallet) || Sets("accepts_target_wallets", input.AcceptsTargetWallets))
            charge.AcceptsTargetWallet = input.TargetWallet ?? false;
    }

    /// <summary>Replaces the charge's taxes when the input names some (404 `tax_not_found` for an unknown code).</summary>
    public async Task<LagoError?> ApplyTaxesAsync(Charge charge, ChargeInput input, DateTimeOffset now, CancellationToken ct)
    {
        if (input.TaxCodes is null) return null;
        var taxes = await TaxCodes.ResolveAsync(db, input.TaxCodes, ct);
        if (!taxes.IsOk) return taxes.Error;
        TaxCodes.Replace(charge.AppliedTaxes, taxes.Value!, tax => new ChargeTax
        {
            OrganizationId = charge.OrganizationId, ChargeId = charge.Id, TaxId = tax.Id, Tax = tax, CreatedAt = now,
        });
        return null;
    }

    /// <summary>Everything wrong with the charge, with Lago's field names (`properties`, `pay_in_advance`, …).</summary>
    public static IEnumerable<ValidationFailure> Check(Charge charge) => Validator.Validate(charge).Errors;

    /// <summary>A code for a charge sent without one: its metric's code, suffixed until it is free in the plan.</summary>
    public static string FreeCode(string metricCode, IReadOnlySet<string> taken)
    {
        var code = metricCode;
        for (var n = 2; taken.Contains(code); n++) code = $"{metricCode}_{n}";
        return code;
    }

    public static ValidationFailure Failure(string field, string code) => new(field, code) { ErrorCode = code };

    // Malformed entries become empty ones, which the validator refuses.
    private static ChargeFilter Filter(string model, ChargeFilterInput? input) => new(
        input?.InvoiceDisplayName,
        ChargeProperties.Keep(model, input?.Properties),
        (input?.Values ?? []).ToDictionary(v => v.Key, v => (v.Value ?? []).Select(x => x ?? "").ToList()));
}
