using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Customers;

/// <summary>Create-or-update by `external_id`, as Lago's `POST /customers` does.</summary>
public sealed class CustomerHandler(WalletsDbContext db, Tenant tenant, TimeProvider clock)
{
    public async Task<Result<Customer>> UpsertAsync(CustomerInput input, CancellationToken ct)
    {
        if (new CustomerValidator().Check(input) is { } invalid) return invalid;

        for (var attempt = 0; ; attempt++)
        {
            // Resolved on every attempt: a retry starts from an empty change tracker.
            var taxes = await TaxCodes.ResolveAsync(db, input.TaxCodes, ct);
            if (!taxes.IsOk) return taxes.Error!;
            var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == input.ExternalId, ct);
            var now = clock.GetUtcNow();
            if (customer is null)
            {
                var last = await db.Customers.IgnoreQueryFilters().Where(c => c.OrganizationId == tenant.OrganizationId)
                    .MaxAsync(c => (long?)c.SequentialId, ct);
                customer = new Customer
                {
                    Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, ExternalId = input.ExternalId!,
                    SequentialId = (last ?? 0) + 1, CreatedAt = now,
                };
                db.Customers.Add(customer);
            }

            Apply(input, customer, now);
            if (input.TaxCodes is not null)
                TaxCodes.Replace(customer.AppliedTaxes, taxes.Value!, tax => new CustomerTax
                {
                    OrganizationId = tenant.OrganizationId, CustomerId = customer.Id, TaxId = tax.Id, Tax = tax, CreatedAt = now,
                });
            customer.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(ct);
                return customer;
            }
            catch (DbUpdateException e) when (attempt == 0 && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Two creates of one external_id raced; the loser becomes an update of the winner's row.
                db.ChangeTracker.Clear();
            }
        }
    }

    public async Task<Result<Customer>> DeleteAsync(string externalId, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == externalId, ct);
        if (customer is null) return LagoError.NotFound("customer");
        customer.DeletedAt = clock.GetUtcNow();
        customer.UpdatedAt = customer.DeletedAt.Value;
        await db.SaveChangesAsync(ct);
        return customer;
    }

    private static void Apply(CustomerInput input, Customer c, DateTimeOffset now)
    {
        if (input.Has("name")) c.Name = input.Name;
        if (input.Has("firstname")) c.Firstname = input.Firstname;
        if (input.Has("lastname")) c.Lastname = input.Lastname;
        if (input.Has("email")) c.Email = input.Email;
        if (input.Has("currency")) c.Currency = input.Currency;
        if (input.Has("timezone")) c.Timezone = input.Timezone;
        if (input.Has("country")) c.Country = input.Country?.ToUpperInvariant();
        if (input.Has("address_line1")) c.AddressLine1 = input.AddressLine1;
        if (input.Has("address_line2")) c.AddressLine2 = input.AddressLine2;
        if (input.Has("city")) c.City = input.City;
        if (input.Has("state")) c.State = input.State;
        if (input.Has("zipcode")) c.Zipcode = input.Zipcode;
        if (input.Has("phone")) c.Phone = input.Phone;
        if (input.Has("url")) c.Url = input.Url;
        if (input.Has("legal_name")) c.LegalName = input.LegalName;
        if (input.Has("legal_number")) c.LegalNumber = input.LegalNumber;
        if (input.Has("tax_identification_number")) c.TaxIdentificationNumber = input.TaxIdentificationNumber;
        if (input.Has("net_payment_term")) c.NetPaymentTerm = input.NetPaymentTerm;
        if (input.Has("account_type")) c.AccountType = input.AccountType ?? "customer";
        if (input.Has("customer_type")) c.CustomerType = input.CustomerType;
        if (input.Metadata is not null)
        {
            // Keys keep their lago_id across updates; keys left out are removed (Lago replaces the list).
            var previous = c.Metadata.ToDictionary(m => m.Key);
            c.Metadata = input.Metadata.Select(m => previous.TryGetValue(m.Key!, out var old)
                ? old with { Value = m.Value!, DisplayInInvoice = m.DisplayInInvoice ?? false }
                : new CustomerMetadata(Guid.CreateVersion7(), m.Key!, m.Value!, m.DisplayInInvoice ?? false, now)).ToList();
        }
    }
}
