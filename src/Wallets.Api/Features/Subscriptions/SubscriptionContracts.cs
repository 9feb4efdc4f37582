using System.Text.Json.Serialization;
using Wallets.Api.Features.Plans;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>Dates are taken as text so that a malformed one is Lago's `invalid_date`, not a type error.</summary>
public sealed class SubscriptionInput : Input
{
    public string? ExternalCustomerId { get; init; }
    public string? PlanCode { get; init; }
    public string? ExternalId { get; init; }
    public string? Name { get; init; }
    public string? BillingTime { get; init; }
    [WireType(typeof(DateTimeOffset?))] public string? SubscriptionAt { get; init; }
    [WireType(typeof(DateTimeOffset?))] public string? EndingAt { get; init; }
}

public sealed record SubscriptionRequest(SubscriptionInput Subscription);

public sealed record SubscriptionEnvelope(SubscriptionView Subscription);

public sealed record SubscriptionsPage(IReadOnlyList<SubscriptionView> Subscriptions, PageMeta Meta);

/// <summary>
/// Lago's `SubscriptionObject`; single-subscription answers also carry the `plan` (as lago-api renders them).
/// Plan changes (upgrades, downgrades) are not supported yet, so previous/next plan fields are always null.
/// </summary>
public sealed record SubscriptionView(
    Guid LagoId,
    string ExternalId,
    Guid LagoCustomerId,
    string ExternalCustomerId,
    string? Name,
    string PlanCode,
    long PlanAmountCents,
    string PlanAmountCurrency,
    string Status,
    string BillingTime,
    DateTimeOffset SubscriptionAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? TrialEndedAt,
    DateTimeOffset? EndingAt,
    DateTimeOffset? TerminatedAt,
    DateTimeOffset? CanceledAt,
    DateTimeOffset CreatedAt,
    string? PreviousPlanCode,
    string? NextPlanCode,
    string? DowngradePlanDate,
    DateTimeOffset? CurrentBillingPeriodStartedAt,
    DateTimeOffset? CurrentBillingPeriodEndingAt,
    string? OnTerminationCreditNote,
    string OnTerminationInvoice,
    bool ProgressiveBillingDisabled,
    bool ConsolidateInvoice,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PlanView? Plan);
