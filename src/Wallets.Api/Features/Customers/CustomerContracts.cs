using System.ComponentModel.DataAnnotations;
using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Customers;

public sealed class CustomerInput : Input
{
    [Required] public string? ExternalId { get; init; }
    public string? Name { get; init; }
    public string? Firstname { get; init; }
    public string? Lastname { get; init; }
    public string? Email { get; init; }
    public string? Currency { get; init; }
    public string? Timezone { get; init; }
    public string? Country { get; init; }
    public string? AddressLine1 { get; init; }
    public string? AddressLine2 { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? Zipcode { get; init; }
    public string? Phone { get; init; }
    public string? Url { get; init; }
    public string? LegalName { get; init; }
    public string? LegalNumber { get; init; }
    public string? TaxIdentificationNumber { get; init; }
    public int? NetPaymentTerm { get; init; }
    public string? AccountType { get; init; }
    public string? CustomerType { get; init; }
    public List<CustomerMetadataInput>? Metadata { get; init; }
    public List<string?>? TaxCodes { get; init; }
}

public sealed record CustomerMetadataInput(string? Key, string? Value, bool? DisplayInInvoice);

public sealed record CustomerEnvelope(CustomerView Customer);

public sealed record CustomersPage(IReadOnlyList<CustomerView> Customers, PageMeta Meta);

/// <summary>Lago's customer object (`CustomerObjectExtended`).</summary>
public sealed record CustomerView(
    Guid LagoId,
    long SequentialId,
    string Slug,
    string ExternalId,
    string? Name,
    string? Firstname,
    string? Lastname,
    string? Email,
    string? Currency,
    string? Timezone,
    string ApplicableTimezone,
    string? Country,
    string? AddressLine1,
    string? AddressLine2,
    string? City,
    string? State,
    string? Zipcode,
    string? Phone,
    string? Url,
    string? LegalName,
    string? LegalNumber,
    string? LogoUrl,
    string? TaxIdentificationNumber,
    int? NetPaymentTerm,
    string AccountType,
    string? CustomerType,
    string FinalizeZeroAmountInvoice,
    bool SkipInvoiceCustomSections,
    BillingConfigurationView BillingConfiguration,
    AddressView ShippingAddress,
    IReadOnlyList<CustomerMetadataView> Metadata,
    IReadOnlyList<object> IntegrationCustomers,
    IReadOnlyList<TaxView> Taxes,
    IReadOnlyList<object> ApplicableInvoiceCustomSections,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CustomerView From(Customer c) => new(
        c.Id, c.SequentialId, $"CUS-{c.SequentialId:D3}", c.ExternalId, c.Name, c.Firstname, c.Lastname, c.Email, c.Currency,
        c.Timezone, c.Timezone ?? "UTC", c.Country, c.AddressLine1, c.AddressLine2, c.City, c.State, c.Zipcode, c.Phone, c.Url,
        c.LegalName, c.LegalNumber, null, c.TaxIdentificationNumber, c.NetPaymentTerm, c.AccountType, c.CustomerType, "inherit", false,
        BillingConfigurationView.None, AddressView.None,
        c.Metadata.Select(m => new CustomerMetadataView(m.LagoId, m.Key, m.Value, m.DisplayInInvoice, m.CreatedAt)).ToList(),
        [], TaxView.Of(c.AppliedTaxes), [], c.CreatedAt, c.UpdatedAt);
}

/// <summary>Lago's `billing_configuration`; this service has no payment providers or grace periods.</summary>
public sealed record BillingConfigurationView(int? InvoiceGracePeriod, string? PaymentProvider, string? DocumentLocale)
{
    public static readonly BillingConfigurationView None = new(null, null, null);
}

/// <summary>Lago's `shipping_address`.</summary>
public sealed record AddressView(string? AddressLine1, string? AddressLine2, string? City, string? Zipcode, string? State, string? Country)
{
    public static readonly AddressView None = new(null, null, null, null, null, null);
}

public sealed record CustomerMetadataView(Guid LagoId, string Key, string Value, bool DisplayInInvoice, DateTimeOffset CreatedAt);
