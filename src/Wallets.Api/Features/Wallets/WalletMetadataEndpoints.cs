using System.Text.Json;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Wallets;

/// <summary>A wallet's metadata object: POST replaces it, PATCH merges into it, DELETE clears all or one key.</summary>
public static class WalletMetadataEndpoints
{
    public sealed record MetadataEnvelope(IReadOnlyDictionary<string, string?> Metadata);

    public static RouteGroupBuilder MapWalletMetadataEndpoints(this RouteGroupBuilder api)
    {
        foreach (var (prefix, tag) in new[] { ("/wallets/{lago_id}/metadata", ""), ("/customers/{external_customer_id}/wallets/{code}/metadata", "Customer") })
        {
            var metadata = api.MapGroup(prefix).WithTags("Wallet metadata");
            metadata.MapPost("/", ReplaceWalletMetadata).WithName($"replace{tag}WalletMetadata").Accepts<MetadataEnvelope>("application/json").Produces<MetadataEnvelope>();
            metadata.MapPatch("/", MergeWalletMetadata).WithName($"merge{tag}WalletMetadata").Accepts<MetadataEnvelope>("application/json").Produces<MetadataEnvelope>();
            metadata.MapDelete("/", DeleteAllWalletMetadata).WithName($"deleteAll{tag}WalletMetadata").Produces<MetadataEnvelope>();
            metadata.MapDelete("/{key}", DeleteWalletMetadataKey).WithName($"delete{tag}WalletMetadataKey").Produces<MetadataEnvelope>();
        }
        return api;
    }

    /// <summary>Replaces a wallet's metadata with the object sent (string or null values).</summary>
    private static Task<IResult> ReplaceWalletMetadata(HttpContext http, WalletsDbContext db, CancellationToken ct) => Change(http, db, Replace, true, ct);

    /// <summary>Merges the keys sent into a wallet's metadata.</summary>
    private static Task<IResult> MergeWalletMetadata(HttpContext http, WalletsDbContext db, CancellationToken ct) => Change(http, db, Merge, true, ct);

    /// <summary>Removes all of a wallet's metadata.</summary>
    private static Task<IResult> DeleteAllWalletMetadata(HttpContext http, WalletsDbContext db, CancellationToken ct) => Change(http, db, (_, _) => [], false, ct);

    /// <summary>Removes one key of a wallet's metadata.</summary>
    private static Task<IResult> DeleteWalletMetadataKey(HttpContext http, string key, WalletsDbContext db, CancellationToken ct) =>
        Change(http, db, (current, _) => current.Where(p => p.Key != key).ToDictionary(), false, ct);

    private static Dictionary<string, string?> Replace(Dictionary<string, string?> current, Dictionary<string, string?> sent) => sent;

    private static Dictionary<string, string?> Merge(Dictionary<string, string?> current, Dictionary<string, string?> sent)
    {
        var merged = new Dictionary<string, string?>(current);
        foreach (var (key, value) in sent) merged[key] = value;
        return merged;
    }

    private static async Task<IResult> Change(
        HttpContext http, WalletsDbContext db, Func<Dictionary<string, string?>, Dictionary<string, string?>, Dictionary<string, string?>> change,
        bool readsBody, CancellationToken ct)
    {
        var sent = new Dictionary<string, string?>();
        if (readsBody)
        {
            var body = await LagoBody.ReadAsync<JsonElement?>(http.Request, "metadata");
            if (!body.IsOk) return body.Error!.ToResult();
            if (body.Value is not { ValueKind: JsonValueKind.Object } element) return LagoError.Validation("metadata", "invalid_type").ToResult();
            foreach (var pair in element.EnumerateObject())
            {
                // PostgreSQL cannot store a NUL character.
                if (pair.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null) || pair.Name.Contains('\0') || pair.Value.GetString()?.Contains('\0') == true)
                    return LagoError.Validation("metadata", "invalid_value").ToResult();
                if (pair.Name.Length is 0 or > 100) return LagoError.Validation("metadata", "key_too_long").ToResult();
                if (pair.Value.GetString()?.Length > 255) return LagoError.Validation("metadata", "value_too_long").ToResult();
                sent[pair.Name] = pair.Value.GetString();
            }
        }

        var route = http.Request.RouteValues;
        var wallet = route.TryGetValue("lago_id", out var id)
            ? await WalletLookup.ByIdAsync(db, id?.ToString() ?? "", ct)
            : await WalletLookup.ByCodeAsync(db, route["external_customer_id"]?.ToString() ?? "", route["code"]?.ToString() ?? "", ct);
        if (!wallet.IsOk) return wallet.Error!.ToResult();

        var updated = change(wallet.Value!.Metadata ?? [], sent);
        wallet.Value.Metadata = updated.Count > 0 ? updated : null;
        await db.SaveChangesAsync(ct);
        return Results.Json(new MetadataEnvelope(updated), LagoJson.Options);
    }
}
