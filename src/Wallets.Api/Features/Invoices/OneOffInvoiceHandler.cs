using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;
using Wallets.Api.Ledger;
using Wallets.Domain.Billing;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Invoices;

public sealed class OneOffInvoiceInput : Input
{
    [Required] public string? ExternalCustomerId { get; init; }
    public string? Currency { get; init; }
    [Required] public List<OneOffFeeInput?>? Fees { get; init; }
}

public sealed record OneOffFeeInput(
    [property: Required] string? AddOnCode, long? UnitAmountCents, [property: WireType(typeof(decimal?))] string? Units, string? Description, string? InvoiceDisplayName, List<string?>? TaxCodes);

public sealed record OneOffInvoiceRequest(OneOffInvoiceInput Invoice);

/// <summary>
/// `POST /invoices` (Lago's Invoices::CreateOneOffService): one add-on fee per entry (the add-on's price and 1 unit unless
/// sent), taxed like add-ons (the fee's tax codes, else the add-on's, else the customer's, else the organization's),
/// finalized at once. Wallets never pay one-off invoices (DESIGN decision 3).
/// </summary>
public sealed class OneOffInvoiceHandler(WalletsDbContext db, CreditInvoices numbering, RequestTransaction request, InvoiceWebhooks webhooks, TimeProvider clock)
{
    public async Task<Result<Invoice>> CreateAsync(OneOffInvoiceInput input, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == input.ExternalCustomerId, ct);
        if (customer is null) return LagoError.NotFound("customer");
        // Lago's answers, in its order: no fees is a 404 on "fees", an unknown add-on a 404 too.
        if (input.Fees is not { Count: > 0 } || input.Fees.Any(f => f is null)) return LagoError.NotFound("fees");
        var fees = input.Fees.Select(f => f!).ToList();
        var codes = fees.Select(f => f.AddOnCode).Distinct().ToList();
        var addOns = await db.AddOns.Include(a => a.AppliedTaxes).Where(a => codes.Contains(a.Code)).ToDictionaryAsync(a => a.Code, ct);
        if (codes.Any(c => c is null || !addOns.ContainsKey(c))) return LagoError.NotFound("add_on");

        var currency = input.Currency ?? customer.Currency;
        if (string.IsNullOrEmpty(currency)) return LagoError.Validation("currency", "value_is_mandatory");
        if (!Currencies.TryFind(currency, out _)) return LagoError.Validation("currency", "value_is_invalid");
        if (customer.Currency is { } current && current != currency) return LagoError.Validation("currency", "currencies_does_not_match");

        var lines = new List<(OneOffFeeInput Input, AddOn AddOn, decimal Units, long UnitAmountCents, List<Tax>? Taxes)>();
        foreach (var fee in fees)
        {
            var units = 1m;
            if (fee.Units is not null && (!DecimalText.TryParse(fee.Units, out units) || units < 0)) return LagoError.Validation("units", "value_is_invalid");
            var unitAmount = fee.UnitAmountCents ?? addOns[fee.AddOnCode!].AmountCents;
            if (unitAmount < 0) return LagoError.Validation("unit_amount_cents", "value_is_out_of_range");
            // An amount beyond 64-bit cents (or the stored precision) is refused, never a 500.
            if (units > 0 && unitAmount > 1e17m / units) return LagoError.Validation("units", "value_is_out_of_range");
            List<Tax>? taxes = null;
            if (fee.TaxCodes is not null)
            {
                var resolved = await TaxCodes.ResolveAsync(db, fee.TaxCodes, ct);
                if (!resolved.IsOk) return resolved.Error!;
                taxes = resolved.Value;
            }
            lines.Add((fee, addOns[fee.AddOnCode!], units, unitAmount, taxes));
        }

        await using var tx = await request.BeginOrJoinAsync(ct);
        // Serializes this customer's invoice numbers.
        await db.LockCustomerAsync(customer.Id, ct);
        var now = clock.GetUtcNow();
        customer.Currency ??= currency;
        var organizationTaxes = await db.Taxes.Where(t => t.AppliedToOrganization).ToListAsync(ct);
        var invoice = await numbering.NewInvoiceAsync(customer, InvoiceType.OneOff, currency, ct);
        foreach (var (fee, addOn, units, unitAmount, taxes) in lines)
        {
            var precise = unitAmount * units;
            var amount = decimal.ToInt64(decimal.Round(precise, 0, MidpointRounding.AwayFromZero));
            var itemTaxes = taxes ?? addOn.AppliedTaxes.Select(t => t.Tax).ToList();
            var levels = new TaxLevels(Rates(itemTaxes), TaxLevels.None, Rates(customer.AppliedTaxes.Select(t => t.Tax)), Rates(organizationTaxes));
            var row = new Fee
            {
                Id = Ids.New(), OrganizationId = customer.OrganizationId, InvoiceId = invoice.Id, FeeType = FeeType.AddOn, AddOnId = addOn.Id,
                Units = units, UnitAmountCents = unitAmount, AmountCents = amount, PreciseAmountCents = precise,
                ItemCode = addOn.Code, ItemName = addOn.Name,
                InvoiceDisplayName = string.IsNullOrEmpty(fee.InvoiceDisplayName) ? addOn.InvoiceDisplayName ?? addOn.Name : fee.InvoiceDisplayName,
                Description = fee.Description ?? addOn.Description, CreatedAt = now, UpdatedAt = now,
            };
            var taxesByCode = itemTaxes.Concat(customer.AppliedTaxes.Select(t => t.Tax)).Concat(organizationTaxes)
                .DistinctBy(t => t.Code).ToDictionary(t => t.Code);
            InvoiceTotals.SetTaxes(row, FeeTaxes.For(FeeKind.AddOn, amount, levels), taxesByCode);
            invoice.Fees.Add(row);
        }

        InvoiceTotals.Compute(invoice);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, SubscriptionViews.ZoneOf(customer)).DateTime);
        invoice.Status = InvoiceStatus.Finalized;
        invoice.FinalizedAt = now;
        invoice.IssuingDate = today;
        invoice.PaymentDueDate = today.AddDays(invoice.NetPaymentTerm);
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync(ct);
        invoice.Customer = customer;
        await webhooks.EnqueueAsync(invoice, "invoice.one_off_created", ct);
        await tx.CommitAsync(ct);
        return invoice;
    }

    private static List<TaxRate> Rates(IEnumerable<Tax> taxes) => taxes.Select(t => new TaxRate(t.Code, t.Rate)).ToList();
}
