using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Taxes;

public sealed class TaxHandler(WalletsDbContext db, Tenant tenant, TimeProvider clock)
{
    public async Task<Result<Tax>> CreateAsync(TaxInput input, CancellationToken ct)
    {
        if (new TaxValidator(creating: true).Check(input) is { } invalid) return invalid;
        if (await db.Taxes.AnyAsync(t => t.Code == input.Code, ct)) return CodeTaken;

        var now = clock.GetUtcNow();
        var tax = new Tax
        {
            Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, Name = input.Name!, Code = input.Code!,
            Rate = input.Rate!.Value, Description = input.Description, AppliedToOrganization = input.AppliedToOrganization ?? false,
            CreatedAt = now, UpdatedAt = now,
        };
        db.Taxes.Add(tax);
        return await SaveAsync(tax, ct);
    }

    public async Task<Result<Tax>> UpdateAsync(string code, TaxInput input, CancellationToken ct)
    {
        var tax = await db.Taxes.FirstOrDefaultAsync(t => t.Code == code, ct);
        if (tax is null) return LagoError.NotFound("tax");
        if (new TaxValidator(creating: false).Check(input) is { } invalid) return invalid;
        if (input.Has("code") && input.Code != code && await db.Taxes.AnyAsync(t => t.Code == input.Code, ct)) return CodeTaken;

        if (input.Has("name")) tax.Name = input.Name!;
        if (input.Has("code")) tax.Code = input.Code!;
        if (input.Has("rate")) tax.Rate = input.Rate!.Value;
        if (input.Has("description")) tax.Description = input.Description;
        if (input.Has("applied_to_organization")) tax.AppliedToOrganization = input.AppliedToOrganization ?? false;
        tax.UpdatedAt = clock.GetUtcNow();
        return await SaveAsync(tax, ct);
    }

    /// <summary>A hard delete, as in Lago: the tax disappears from every customer, plan and charge (ON DELETE CASCADE).</summary>
    public async Task<Result<Tax>> DeleteAsync(string code, CancellationToken ct)
    {
        var tax = await db.Taxes.FirstOrDefaultAsync(t => t.Code == code, ct);
        if (tax is null) return LagoError.NotFound("tax");
        db.Taxes.Remove(tax);
        await db.SaveChangesAsync(ct);
        return tax;
    }

    private static LagoError CodeTaken => LagoError.Validation("code", "value_already_exist");

    private async Task<Result<Tax>> SaveAsync(Tax tax, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return tax;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request took the code between our check and this insert.
            return CodeTaken;
        }
    }
}
