using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.AddOns;

/// <summary>Add-ons: create, change what an update sends, soft delete. A code names one live add-on.</summary>
public sealed class AddOnHandler(WalletsDbContext db, Tenant tenant, TimeProvider clock)
{
    private static readonly AddOnValidator Validator = new(); // stateless, and costly to build

    public async Task<Result<AddOn>> CreateAsync(AddOnInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var addOn = new AddOn
        {
            Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, Name = "", Code = "", AmountCurrency = "",
            CreatedAt = now, UpdatedAt = now,
        };
        Apply(addOn, input, creating: true);
        if (new AddOnValidator(creatingFrom: input).Check(addOn) is { } invalid) return invalid;
        if (await ApplyTaxesAsync(addOn, input, now, ct) is { } missing) return missing;
        if (await db.AddOns.AnyAsync(a => a.Code == addOn.Code, ct)) return CodeTaken;
        db.AddOns.Add(addOn);
        return await SaveAsync(addOn, ct);
    }

    public async Task<Result<AddOn>> UpdateAsync(string code, AddOnInput input, CancellationToken ct)
    {
        var addOn = await db.AddOns.Include(a => a.AppliedTaxes).FirstOrDefaultAsync(a => a.Code == code, ct);
        if (addOn is null) return LagoError.NotFound("add_on");
        Apply(addOn, input, creating: false);
        if (Validator.Check(addOn) is { } invalid) return invalid;
        var now = clock.GetUtcNow();
        if (await ApplyTaxesAsync(addOn, input, now, ct) is { } missing) return missing;
        if (addOn.Code != code && await db.AddOns.AnyAsync(a => a.Code == addOn.Code && a.Id != addOn.Id, ct)) return CodeTaken;
        addOn.UpdatedAt = now;
        return await SaveAsync(addOn, ct);
    }

    /// <summary>A soft delete, as Lago's: invoices keep showing the add-on their fees billed.</summary>
    public async Task<Result<AddOn>> DeleteAsync(string code, CancellationToken ct)
    {
        var addOn = await db.AddOns.Include(a => a.AppliedTaxes).FirstOrDefaultAsync(a => a.Code == code, ct);
        if (addOn is null) return LagoError.NotFound("add_on");
        addOn.DeletedAt = addOn.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return addOn;
    }

    private static void Apply(AddOn addOn, AddOnInput input, bool creating)
    {
        bool Sets(string key) => creating || input.Has(key);
        if (Sets("name")) addOn.Name = input.Name ?? "";
        if (Sets("code")) addOn.Code = input.Code ?? "";
        if (Sets("invoice_display_name")) addOn.InvoiceDisplayName = input.InvoiceDisplayName;
        if (Sets("description")) addOn.Description = input.Description;
        if (Sets("amount_cents")) addOn.AmountCents = input.AmountCents ?? (creating ? 0 : addOn.AmountCents);
        if (Sets("amount_currency")) addOn.AmountCurrency = input.AmountCurrency ?? "";
    }

    private async Task<LagoError?> ApplyTaxesAsync(AddOn addOn, AddOnInput input, DateTimeOffset now, CancellationToken ct)
    {
        if (input.TaxCodes is null) return null;
        var taxes = await TaxCodes.ResolveAsync(db, input.TaxCodes, ct);
        if (!taxes.IsOk) return taxes.Error;
        TaxCodes.Replace(addOn.AppliedTaxes, taxes.Value!, tax => new AddOnTax
        {
            OrganizationId = addOn.OrganizationId, AddOnId = addOn.Id, TaxId = tax.Id, Tax = tax, CreatedAt = now,
        });
        return null;
    }

    private static LagoError CodeTaken => LagoError.Validation("code", "value_already_exist");

    private async Task<Result<AddOn>> SaveAsync(AddOn addOn, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return addOn;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request took the code between our check and this write.
            return CodeTaken;
        }
    }
}
