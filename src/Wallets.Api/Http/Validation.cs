using System.Text.Json;
using FluentValidation;
using FluentValidation.Results;

namespace Wallets.Api.Http;

/// <summary>FluentValidation failures as Lago's `validation_errors` body, with Lago's field codes.</summary>
public static class Validation
{
    /// <summary>Fields are named as in the JSON (snake_case). Set at startup, before any validator is built.</summary>
    public static void UseJsonFieldNames() => ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
        member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);

    public static LagoError? Check<T>(this IValidator<T> validator, T value) => ToError(validator.Validate(value));

    public static LagoError? ToError(ValidationResult result)
    {
        if (result.IsValid) return null;
        var details = result.Errors
            .GroupBy(f => f.PropertyName.Split('.', '[')[0])
            .ToDictionary(g => g.Key, g => g.Select(f => LagoCode(f.ErrorCode)).Distinct().ToArray());
        return LagoError.Validation(details);
    }

    /// <summary>FluentValidation's built-in codes mapped to Lago's locale codes; our own codes pass through.</summary>
    private static string LagoCode(string code) => code switch
    {
        "NotEmptyValidator" or "NotNullValidator" => "value_is_mandatory",
        "MaximumLengthValidator" or "LengthValidator" => "value_is_too_long",
        "InclusiveBetweenValidator" or "ExclusiveBetweenValidator" or "GreaterThanValidator"
            or "GreaterThanOrEqualValidator" or "LessThanValidator" or "LessThanOrEqualValidator" => "value_is_out_of_range",
        _ when code.EndsWith("Validator", StringComparison.Ordinal) => "value_is_invalid",
        _ => code,
    };
}
