using Wallets.Api.Data;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Invoices;

/// <summary>Fee taxes as stored lines, and an invoice's totals from its fees, with Lago's arithmetic (invoice version 4).</summary>
public static class InvoiceTotals
{
    /// <summary>Sets a fee's taxes; each tax is snapshotted (name, description) from <paramref name="taxesByCode"/>.</summary>
    public static void SetTaxes(Fee fee, TaxedFee taxes, IReadOnlyDictionary<string, Tax> taxesByCode)
    {
        fee.TaxesAmountCents = taxes.TaxesAmountCents;
        fee.TaxesPreciseAmountCents = taxes.TaxesPreciseAmountCents;
        fee.TaxesRate = taxes.TaxesRate;
        fee.AppliedTaxes = taxes.Taxes.Select(t =>
        {
            var tax = taxesByCode.GetValueOrDefault(t.Code);
            return new AppliedTaxLine(Ids.New(), tax?.Id, t.Code, tax?.Name ?? t.Code, t.Rate, tax?.Description, t.AmountCents, t.PreciseAmountCents, null);
        }).ToList();
    }

    /// <summary>
    /// Lago's Invoices::ApplyTaxesService: each tax of the invoice is Σ(fee amount × rate) / 100 over the fees it applies
    /// to, rounded on its own line; the invoice's taxes are the exact sum rounded once. The total is the tax-inclusive
    /// subtotal after credit notes (prepaid credits come off it later); a zero total is paid already.
    /// </summary>
    public static void Compute(Invoice invoice)
    {
        invoice.FeesAmountCents = invoice.Fees.Sum(f => f.AmountCents);
        var byTax = invoice.Fees
            .SelectMany(f => f.AppliedTaxes.Select(t => (Fee: f, Tax: t)))
            .GroupBy(x => x.Tax.TaxCode, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var exact = g.Sum(x => x.Fee.AmountCents * x.Tax.TaxRate / 100m);
                var tax = g.First().Tax;
                return (Exact: exact, Line: new AppliedTaxLine(Ids.New(), tax.TaxId, tax.TaxCode, tax.TaxName, tax.TaxRate, tax.TaxDescription,
                    RoundHalfUp(exact), exact, g.Sum(x => x.Fee.AmountCents)));
            })
            .ToList();
        invoice.AppliedTaxes = byTax.Select(t => t.Line).ToList();
        invoice.TaxesAmountCents = RoundHalfUp(byTax.Sum(t => t.Exact));
        invoice.TotalAmountCents = invoice.SubTotalIncludingTaxesAmountCents - invoice.CreditNotesAmountCents;
        invoice.PaymentStatus = invoice.TotalAmountCents == 0 ? "succeeded" : "pending";
    }

    private static long RoundHalfUp(decimal value) => decimal.ToInt64(decimal.Round(value, 0, MidpointRounding.AwayFromZero));
}
