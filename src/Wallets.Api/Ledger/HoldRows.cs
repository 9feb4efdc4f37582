using Npgsql;
using Wallets.Api.Data;

namespace Wallets.Api.Ledger;

/// <summary>A hold as the ledger reads it under the customer lock: the row and what it reserved from which grant, in order.</summary>
public sealed record HeldHold(Hold Hold, IReadOnlyList<HoldReservation> Reservations)
{
    /// <summary>
    /// The hold passed its expiry: it ends as `expired`, released at that instant (it stopped holding then, whatever
    /// noticed it: the expiry job or any write to its wallet).
    /// </summary>
    public void Expire(LedgerChanges changes, DateTimeOffset now)
    {
        Hold.Status = HoldStatus.Expired;
        Hold.ReleasedAt = Hold.ExpiresAt;
        Hold.UpdatedAt = now;
        changes.End(Hold, Reservations);
    }
}

/// <summary>The one reader of holds for the ledger's writes (row and reservations), shared by every unit of work that touches them.</summary>
public static class HoldRows
{
    /// <summary>The columns <see cref="ReadAsync"/> maps, from `holds h`.</summary>
    public const string Columns = """
        h.id, h.organization_id, h.customer_id, h.wallet_id, h.external_id, h.status, h.credits, h.amount_cents, h.captured_credits,
        h.captured_amount_cents, h.wallet_transaction_id, h.expires_at, h.metadata::text, h.captured_at, h.released_at, h.created_at, h.updated_at,
        ARRAY(SELECT r.inbound_wallet_transaction_id FROM hold_reservations r WHERE r.hold_id = h.id ORDER BY r.position),
        ARRAY(SELECT r.cents FROM hold_reservations r WHERE r.hold_id = h.id ORDER BY r.position)
        """;

    /// <summary>The active holds of the wallets $1 that are past their expiry at $2, to end before anything reads what the wallets can spend.</summary>
    public const string DueSql = $"SELECT {Columns} FROM holds h WHERE h.wallet_id = ANY($1) AND h.status = 'active' AND h.expires_at <= $2";

    /// <summary>Every active hold of the wallet $1 (termination releases them).</summary>
    public const string ActiveSql = $"SELECT {Columns} FROM holds h WHERE h.wallet_id = $1 AND h.status = 'active'";

    public static NpgsqlBatchCommand Due(Guid[] walletIds, DateTimeOffset now) => LedgerChanges.Command(DueSql, walletIds, now);

    /// <summary>Reads the rows of a statement selecting <see cref="Columns"/>, where the reader stands.</summary>
    public static async Task<List<HeldHold>> ReadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var holds = new List<HeldHold>();
        while (await reader.ReadAsync(ct))
        {
            var hold = new Hold
            {
                Id = reader.GetGuid(0), OrganizationId = reader.GetGuid(1), CustomerId = reader.GetGuid(2), WalletId = reader.GetGuid(3),
                ExternalId = reader.GetString(4), Status = reader.GetString(5), Credits = reader.GetDecimal(6), AmountCents = reader.GetInt64(7),
                CapturedCredits = reader.IsDBNull(8) ? null : reader.GetDecimal(8),
                CapturedAmountCents = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                WalletTransactionId = reader.IsDBNull(10) ? null : reader.GetGuid(10),
                ExpiresAt = Time(reader, 11),
                Metadata = reader.IsDBNull(12) ? null : JsonColumn.Deserialize<Dictionary<string, string?>>(reader.GetString(12)),
                CapturedAt = Time(reader, 13), ReleasedAt = Time(reader, 14),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(15), UpdatedAt = reader.GetFieldValue<DateTimeOffset>(16),
            };
            var grants = reader.GetFieldValue<Guid[]>(17);
            var cents = reader.GetFieldValue<long[]>(18);
            holds.Add(new HeldHold(hold, grants.Select((g, i) => new HoldReservation(g, cents[i])).ToList()));
        }
        return holds;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);
}
