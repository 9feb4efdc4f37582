using FluentValidation;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Customers;

public sealed class CustomerValidator : AbstractValidator<CustomerInput>
{
    public CustomerValidator()
    {
        RuleFor(c => c.ExternalId).NotEmpty().MaximumLength(255);
        RuleFor(c => c.Name).MaximumLength(255);
        RuleFor(c => c.Currency).Must(c => c is null || Currencies.TryFind(c, out _)).WithErrorCode("value_is_invalid");
        RuleFor(c => c.Timezone).Must(tz => tz is null || IsTimezone(tz)).WithErrorCode("invalid_timezone");
        RuleFor(c => c.Country).Must(c => c is null || Iso.Countries.Contains(c.ToUpperInvariant())).WithErrorCode("country_code_invalid");
        RuleFor(c => c.Email).Must(e => string.IsNullOrEmpty(e) || IsEmail(e)).WithErrorCode("invalid_email_format");
        RuleFor(c => c.NetPaymentTerm).GreaterThanOrEqualTo(0);
        RuleFor(c => c.AccountType).Must(t => t is null or "customer" or "partner").WithErrorCode("value_is_invalid");
        RuleFor(c => c.CustomerType).Must(t => t is null or "company" or "individual").WithErrorCode("value_is_invalid");
        RuleForEach(c => c.Metadata).NotNull().WithErrorCode("invalid_key_value_pair").ChildRules(m =>
        {
            m.RuleFor(x => x.Key).NotEmpty().MaximumLength(20);
            m.RuleFor(x => x.Value).NotNull().MaximumLength(100);
        }).OverridePropertyName("metadata");
        RuleFor(c => c.Metadata).Must(m => m is null || m.Select(x => x?.Key).Distinct().Count() == m.Count)
            .WithErrorCode("duplicated_key");
    }

    private static bool IsTimezone(string tz) =>
        Iso.Timezones.Contains(tz) || (tz.Contains('/') && TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _));

    private static bool IsEmail(string email) =>
        email.Split(',').All(e => e.Trim() is var one && one.IndexOf('@') is > 0 and var at && at < one.Length - 1 && !one.Contains(' '));
}
