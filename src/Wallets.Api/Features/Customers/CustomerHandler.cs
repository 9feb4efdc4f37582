using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Features.Webhooks;
using Wallets.Api.Http;
using Wallets.Api.Ledger;

namespace Wallets.Api.Features.Customers;

/// <summary>Create-or-update by `external_id`, as Lago's `POST /customers` does.</summary>
public sealed class CustomerHandler(
    WalletsDbContext db, Tenant tenant, TimeProvider clock, SubscriptionLifecycle lifecycle, WalletHandler walletHandler, RequestTransaction request)
{
    private static readonly CustomerValidator Validator = new(); // stateless, and costly to build

    public async Task<Result<Customer>> UpsertAsync(CustomerInput input, CancellationToken ct)
    {
        if (Validator.Check(input) is { } invalid) return invalid;

        await using var tx = await request.BeginOrJoinAsync(ct);
        // Creates of one external_id are serialized, so racing requests become one create and then updates.
        var lockName = $"customer:{tenant.OrganizationId}:{input.ExternalId}";
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockName}, 0))", ct);
        var taxes = await TaxCodes.ResolveAsync(db, input.TaxCodes, ct);
        if (!taxes.IsOk) return taxes.Error!;
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == input.ExternalId, ct);
        var now = clock.GetUtcNow();
        var webhookType = customer is null ? "customer.created" : "customer.updated";
        if (customer is null)
        {
            var last = await db.Customers.IgnoreQueryFilters().Where(c => c.OrganizationId == tenant.OrganizationId)
                .MaxAsync(c => (long?)c.SequentialId, ct);
            customer = new Customer
            {
                Id = Ids.New(), OrganizationId = tenant.OrganizationId, ExternalId = input.ExternalId!,
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
        await db.SaveChangesAsync(ct);
        await db.EnqueueAsync(new WebhookMessage(tenant.OrganizationId, webhookType, "customer", CustomerView.From(customer)), now, ct);
        await tx.CommitAsync(ct);
        return customer;
    }

    /// <summary>
    /// Lago's DestroyService and TerminateRelationsService, in one transaction: the active subscriptions are terminated
    /// (their final invoices are billed, and paid from the wallets as usual), pending ones are canceled, then the active
    /// wallets are terminated (what is left is voided), and the customer is gone.
    /// </summary>
    public async Task<Result<Customer>> DeleteAsync(string externalId, CancellationToken ct)
    {
        await using var tx = await request.BeginOrJoinAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == externalId, ct);
        if (customer is null) return LagoError.NotFound("customer");
        var now = clock.GetUtcNow();
        // Its subscriptions' locks first (events, rows, then the customer), as every termination and the billing job take them.
        await lifecycle.EndAllOfCustomerAsync(customer, now, ct);
        await db.LockCustomerAsync(customer.Id, ct);
        var wallets = await db.Wallets.Where(w => w.CustomerId == customer.Id && w.Status == WalletStatus.Active)
            .OrderBy(w => w.CreatedAt).Select(w => w.Id).ToListAsync(ct);
        foreach (var wallet in wallets) await walletHandler.TerminateAsync(wallet, ct);

        customer.DeletedAt = now;
        customer.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
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
                : new CustomerMetadata(Ids.New(), m.Key!, m.Value!, m.DisplayInInvoice ?? false, now)).ToList();
        }
    }
}
