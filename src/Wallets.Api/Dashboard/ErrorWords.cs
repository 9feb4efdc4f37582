using Wallets.Api.Http;

namespace Wallets.Api.Dashboard;

/// <summary>The API's error codes as a person reads them, and the form field each error belongs next to.</summary>
public static class ErrorWords
{
    /// <summary>API field → the dashboard form field that edits it.</summary>
    public static string FormField(string apiField) => apiField switch
    {
        "paid_top_up_min_amount_cents" => "paid_top_up_min_amount",
        "paid_top_up_max_amount_cents" => "paid_top_up_max_amount",
        "applies_to" or "allowed_fee_types" => "fee_types",
        "billable_metrics" => "billable_metric_codes",
        "recurring_transaction_rules" => "recurring_rule",
        _ => apiField,
    };

    /// <summary>Errors that mean the form no longer applies, rather than that a value is wrong.</summary>
    public static string? StaleMessage(LagoError error) =>
        error.Details is { } details && details.TryGetValue("wallet_id", out var codes) && codes.Contains("wallet_is_terminated")
            ? "This wallet was terminated meanwhile, so nothing was changed."
            : error.Status == 404 ? $"This {Resource(error.Code)} no longer exists, so nothing was changed."
            : null;

    public static string For(string field, string code) => code switch
    {
        "value_is_mandatory" => field == "currency" ? "Choose a currency." : "This is required.",
        "value_is_invalid" or "invalid_value" => field switch
        {
            "rate_amount" => "Enter the value of one credit as a number, like 1 or 0.5.",
            "currency" => "This is not a currency this service knows.",
            _ => "This value is not valid.",
        },
        "value_is_out_of_range" => field switch
        {
            "rate_amount" => "A credit must be worth more than 0.",
            "priority" or "transaction_priority" => "Use a priority from 1 (used first) to 50.",
            "paid_top_up_min_amount_cents" or "paid_top_up_max_amount_cents" => "Enter an amount greater than 0.",
            _ => "This value is out of range.",
        },
        "value_is_too_long" or "too_long" => "This is too long (255 characters at most).",
        "value_already_exist" => field == "external_id" ? "A customer already has this external id." : "Another active wallet of this customer has this code.",
        "invalid_paid_credits" or "invalid_granted_credits" or "invalid_voided_credits" => "Enter a number of credits, 0 or more, like 10 or 2.5.",
        "invalid_amount" => "This number of credits is too large.",
        "amount_rounds_to_zero" => "At this credit value, this is less than the smallest unit of the currency.",
        "amount_below_minimum" => "This is below the wallet's paid top-up minimum.",
        "amount_above_maximum" => "This is above the wallet's paid top-up maximum.",
        "insufficient_credits" => "The wallet does not hold that many credits.",
        "no_remaining_amount" => "Nothing is left of that top-up to void.",
        "wallet_transaction_not_found" => "There is no such top-up in this wallet.",
        "must_be_greater_than_or_equal_min" => "The maximum must be at least the minimum.",
        "invalid_date" or "date_in_past" => "Choose a date in the future.",
        "currencies_does_not_match" => "The customer's currency is already set; a wallet must use it.",
        "wallet_limit_reached" => "This customer has as many active wallets as allowed.",
        "customer_not_found" => "This customer no longer exists.",
        "wallet_not_found" => "This wallet does not exist.",
        "invalid_limitations" or "invalid_fee_types" => "Choose fee types from the list.",
        "invalid_recurring_rule" => "This recurring top-up rule is not complete or not valid: check its trigger, amounts and threshold.",
        "invalid_number_of_recurring_rules" => "A wallet has at most one recurring top-up rule.",
        "invalid_email_format" => "Enter an e-mail address, like name@example.com.",
        "invalid_timezone" => "This is not a time zone, like Europe/Paris.",
        "country_code_invalid" => "Use a two-letter country code, like FR.",
        _ => $"This was refused ({code.Replace('_', ' ')}).",
    };

    private static string Resource(string? code) => (code ?? "resource_not_found").Replace("_not_found", "").Replace('_', ' ');
}
