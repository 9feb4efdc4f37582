using FluentValidation;
using Wallets.Api.Http;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>The 422s of `POST /subscriptions` and `PUT /subscriptions/{external_id}`, with Lago's codes.</summary>
public sealed class SubscriptionValidator : AbstractValidator<SubscriptionInput>
{
    /// <param name="creating">A create needs its ids; an update checks only what it sends.</param>
    /// <param name="startsAt">The subscription date an `ending_at` must come after (the sent one on a create).</param>
    /// <param name="today">Today's date (UTC), which an `ending_at` must also come after.</param>
    public SubscriptionValidator(bool creating, DateTimeOffset? startsAt, DateOnly today)
    {
        RuleFor(s => s.ExternalCustomerId).NotEmpty().When(_ => creating);
        RuleFor(s => s.ExternalId).NotEmpty().MaximumLength(255).When(_ => creating);
        RuleFor(s => s.BillingTime).Must(b => b is null || BillingNames.TryParseBillingTime(b, out _)).WithErrorCode("value_is_invalid");
        // Billing periods are computed from this date, so it must stay within years that date arithmetic can reach.
        RuleFor(s => s.SubscriptionAt).Must(t => t is null || (IsoTime.TryParse(t, out var at) && at.Year is >= 1900 and <= 9000))
            .WithErrorCode("invalid_date")
            .When(s => creating || s.Has("subscription_at"));
        // Lago: an end date is a later day than both today and the subscription date.
        RuleFor(s => s.EndingAt).Must(t => EndsLater(t, startsAt, today)).WithErrorCode("invalid_date")
            .When(s => s.EndingAt is not null);
    }

    private static bool EndsLater(string? text, DateTimeOffset? startsAt, DateOnly today) =>
        IsoTime.TryParse(text, out var end)
        && DateOnly.FromDateTime(end.UtcDateTime) > today
        && (startsAt is null || DateOnly.FromDateTime(end.UtcDateTime) > DateOnly.FromDateTime(startsAt.Value.UtcDateTime));
}
