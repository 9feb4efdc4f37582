using FluentValidation.Results;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Plans;

/// <summary>The `charges` list of a plan create or update: the list the plan ends up with.</summary>
public static class PlanCharges
{
    /// <summary>
    /// Entries match the plan's live charges by `id`, else by `code`, and update them; the others become new charges
    /// (coded after their metric when sent without a code); live charges left out are deleted. Returns each charge
    /// with the entry that made it, and everything wrong with them.
    /// </summary>
    public static (List<(Charge Charge, ChargeInput Input)> Charges, List<ValidationFailure> Failures) Replace(
        Plan plan, IReadOnlyList<ChargeInput> inputs, Dictionary<Guid, BillableMetric> metrics, bool locked, DateTimeOffset now,
        ChargeWriter writer, WalletsDbContext db)
    {
        var existing = plan.Charges.Where(c => c.DeletedAt is null).ToList();
        var kept = new List<(Charge Charge, ChargeInput Input)>();
        var failures = new List<ValidationFailure>();
        var taken = existing.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var metric = ChargeWriter.MetricOf(input, metrics);
            var charge = existing.FirstOrDefault(c => !kept.Any(k => k.Charge == c) && Guid.TryParse(input.Id, out var id) && c.Id == id)
                ?? existing.FirstOrDefault(c => !kept.Any(k => k.Charge == c) && input.Code is not null && c.Code == input.Code);
            if (charge is not null)
            {
                ChargeWriter.Apply(charge, input, metric, creating: false, locked);
                charge.UpdatedAt = now;
            }
            else if (metric is null)
            {
                failures.Add(ChargeWriter.Failure("billable_metric_id", "value_is_mandatory"));
                continue;
            }
            else
            {
                // Created a tick apart so the plan lists its charges in the order they were sent.
                charge = writer.Create(plan, input, metric, now.AddTicks(i * 10));
                if (input.Code is null) charge.Code = ChargeWriter.FreeCode(metric.Code, taken);
                taken.Add(charge.Code);
                // Added explicitly: an entity with its key already set, reached only through a navigation, would be taken for an existing row.
                db.Charges.Add(charge);
            }

            kept.Add((charge, input));
            if (!codes.Add(charge.Code)) failures.Add(ChargeWriter.Failure("code", "value_already_exist"));
            failures.AddRange(ChargeWriter.Check(charge));
        }

        foreach (var removed in existing.Where(c => !kept.Any(k => k.Charge == c)))
        {
            removed.DeletedAt = now;
            removed.UpdatedAt = now;
        }

        return (kept, failures);
    }
}
