using System.Text.Json.Serialization;

namespace Wallets.Api.Http;

/// <summary>
/// A request body that knows which keys the client sent, so an update touches only those
/// (Rails' `params.key?`), and `null` can mean "clear" while absence means "keep".
/// </summary>
public abstract class Input
{
    [JsonIgnore]
    public IReadOnlySet<string> Sent { get; set; } = new HashSet<string>();

    public bool Has(string key) => Sent.Contains(key);
}
