using System.Globalization;
using System.Text.Json;
using Wallets.Api.Features.Wallets;
using Wallets.Domain.Money;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>
/// The fields of "Add a wallet &amp; credits" and "Edit information", as typed, and the <see cref="WalletInput"/> they
/// stand for. Only what a form needs is done here (dates, amounts in the currency's units); every rule is the handler's.
/// </summary>
public sealed record WalletForm
{
    public string? Name { get; init; }
    public string? Code { get; init; }
    public string? Priority { get; init; }
    public string? RateAmount { get; init; }
    public string? Currency { get; init; }
    public string? PaidCredits { get; init; }
    public string? GrantedCredits { get; init; }
    public bool InvoiceRequiresSuccessfulPayment { get; init; }
    public string? ExpirationDate { get; init; }
    public string? PaidTopUpMin { get; init; }
    public string? PaidTopUpMax { get; init; }
    public IReadOnlyList<string> FeeTypes { get; init; } = [];
    public IReadOnlyList<string> BillableMetricCodes { get; init; } = [];
    public string? RuleTrigger { get; init; }
    public string? RuleMethod { get; init; }
    public string? RuleInterval { get; init; }
    public string? RuleThresholdCredits { get; init; }
    public string? RulePaidCredits { get; init; }
    public string? RuleGrantedCredits { get; init; }
    public string? RuleTargetOngoingBalance { get; init; }

    public static WalletForm From(IFormCollection f) => new()
    {
        Name = Text(f["name"]), Code = Text(f["code"]), Priority = Text(f["priority"]), RateAmount = Text(f["rate_amount"]),
        Currency = Text(f["currency"]), PaidCredits = Text(f["paid_credits"]), GrantedCredits = Text(f["granted_credits"]),
        InvoiceRequiresSuccessfulPayment = f["invoice_requires_successful_payment"].Contains("true"),
        ExpirationDate = Text(f["expiration_at"]), PaidTopUpMin = Text(f["paid_top_up_min_amount"]), PaidTopUpMax = Text(f["paid_top_up_max_amount"]),
        FeeTypes = f["fee_types"].OfType<string>().ToList(), BillableMetricCodes = f["billable_metric_codes"].OfType<string>().ToList(),
        RuleTrigger = Text(f["rule_trigger"]), RuleMethod = Text(f["rule_method"]), RuleInterval = Text(f["rule_interval"]),
        RuleThresholdCredits = Text(f["rule_threshold_credits"]), RulePaidCredits = Text(f["rule_paid_credits"]),
        RuleGrantedCredits = Text(f["rule_granted_credits"]), RuleTargetOngoingBalance = Text(f["rule_target_ongoing_balance"]),
    };

    /// <summary>The wallet as its edit form first shows it.</summary>
    public static WalletForm Of(WalletView w) => new()
    {
        Name = w.Name, Code = w.Code, Priority = w.Priority.ToString(CultureInfo.InvariantCulture), Currency = w.Currency,
        InvoiceRequiresSuccessfulPayment = w.InvoiceRequiresSuccessfulPayment, ExpirationDate = Display.Date(w.ExpirationAt),
        PaidTopUpMin = Display.AmountInput(w.PaidTopUpMinAmountCents, w.Currency), PaidTopUpMax = Display.AmountInput(w.PaidTopUpMaxAmountCents, w.Currency),
        FeeTypes = w.AppliesTo.FeeTypes ?? [], BillableMetricCodes = w.AppliesTo.BillableMetricCodes ?? [],
    };

    /// <summary>
    /// The API input, and the form fields that could not become part of it (with words): with any of those, the input
    /// is only for <see cref="WalletValidator"/> to find the other fields' errors, never for the handler.
    /// </summary>
    public (WalletInput Input, Dictionary<string, string> Errors) ToInput(bool creating, string currency)
    {
        var errors = new Dictionary<string, string>();
        int? priority = null;
        if (Priority is not null)
        {
            if (int.TryParse(Priority, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p)) priority = p;
            else errors["priority"] = "Use a priority from 1 (used first) to 50.";
        }
        var min = Cents(PaidTopUpMin, "paid_top_up_min_amount");
        var max = Cents(PaidTopUpMax, "paid_top_up_max_amount");

        var sent = new HashSet<string> { "name", "priority", "expiration_at", "paid_top_up_min_amount_cents", "paid_top_up_max_amount_cents",
            "applies_to", "invoice_requires_successful_payment" };
        if (creating) sent.UnionWith(["code", "rate_amount", "currency", "paid_credits", "granted_credits", "recurring_transaction_rules"]);
        var input = new WalletInput
        {
            Name = Name, Priority = priority ?? (creating ? 50 : null), ExpirationAt = ExpirationAt(),
            PaidTopUpMinAmountCents = min, PaidTopUpMaxAmountCents = max,
            AppliesTo = new AppliesToInput([.. FeeTypes], [.. BillableMetricCodes]), InvoiceRequiresSuccessfulPayment = InvoiceRequiresSuccessfulPayment,
            Code = creating ? Code : null, RateAmount = creating ? RateAmount : null, Currency = creating ? currency : null,
            PaidCredits = creating ? PaidCredits : null, GrantedCredits = creating ? GrantedCredits : null,
            RecurringTransactionRules = creating && Rule() is { } rule ? [rule] : null,
        };
        input.Sent = sent;
        return (input, errors);

        long? Cents(string? text, string field)
        {
            if (text is null) return null;
            if (!Currencies.TryFind(currency, out var known))
            {
                errors["currency"] = "Choose a currency.";
                return null;
            }
            if (Display.TryCents(text, currency, out var cents)) return cents;
            errors[field] = $"Enter an amount in {currency}, with at most {known.Exponent} decimals.";
            return null;
        }
    }

    private string? ExpirationAt() => EndOfDay(ExpirationDate);

    /// <summary>A date picked in a form: the credits expire at the end of that day (UTC). Other text goes on as typed, for the API to refuse.</summary>
    public static string? EndOfDay(string? date) =>
        date is null ? null
        : DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? $"{date}T23:59:59Z"
        : date;

    /// <summary>The recurring top-up rule, in Lago's shape, when a trigger is chosen.</summary>
    private JsonElement? Rule()
    {
        if (RuleTrigger is null) return null;
        var rule = new Dictionary<string, string> { ["trigger"] = RuleTrigger, ["method"] = RuleMethod ?? "fixed" };
        if (RuleTrigger == "interval" && RuleInterval is not null) rule["interval"] = RuleInterval;
        if (RuleTrigger == "threshold" && RuleThresholdCredits is not null) rule["threshold_credits"] = RuleThresholdCredits;
        if (RuleMethod == "target" && RuleTargetOngoingBalance is not null) rule["target_ongoing_balance"] = RuleTargetOngoingBalance;
        if (RuleMethod != "target" && RulePaidCredits is not null) rule["paid_credits"] = RulePaidCredits;
        if (RuleMethod != "target" && RuleGrantedCredits is not null) rule["granted_credits"] = RuleGrantedCredits;
        return JsonSerializer.SerializeToElement(rule);
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
