using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Usage;
using Wallets.Api.Ledger;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Invoices;

/// <summary>
/// Bills subscriptions, one `subscription` invoice per billing period, as Lago does:
/// <list type="bullet">
/// <item>pay in arrear: when a period ends, its base fee (prorated by days for a first period that started late) and its
/// usage; pay in advance: the base fee of the period that opens, with the usage of the one that ended, and a first
/// invoice with the first period's fee when the subscription starts;</item>
/// <item>on termination, the period so far: the base fee for the days used (unless paid in advance) and the usage;</item>
/// <item>usage fees come from <see cref="UsageCalculator"/>, one per charge and target-wallet group; charges billed as
/// events arrive (`pay_in_advance`) or not invoiced (`invoiceable: false`) are left out, as are fees of no units and no amount.</item>
/// </list>
/// Every invoice is finalized at once and paid with prepaid credits in the same transaction.
/// </summary>
public sealed class SubscriptionInvoicing(
    WalletsDbContext db, UsageCalculator usage, CreditInvoices numbering, ApplyPrepaidCredits prepaid, WalletLedger ledger, InvoiceWebhooks webhooks,
    TimeProvider clock)
{
    /// <summary>
    /// Bills what is due up to <paramref name="now"/> (or up to their termination) for subscriptions of one organization:
    /// the usage of all their periods is priced at once, the invoices are saved together. The caller holds the
    /// subscription rows (FOR UPDATE) inside one transaction; the unique indexes of invoice_subscriptions refuse any
    /// period billed twice all the same. Returns the invoices made.
    /// </summary>
    public async Task<int> BillDueAsync(IReadOnlyList<Subscription> subscriptions, DateTimeOffset now, CancellationToken ct)
    {
        var started = subscriptions.Where(s => s.StartedAt is not null).ToList();
        if (started.Count == 0) return 0;
        var batch = await BatchAsync(started, ct);
        var due = started.SelectMany(s => Due(batch, batch.Contexts[s.Id], now)).ToList();
        var priced = due.Where(d => d.Charges is not null).Select(d => (d.Billing.Subscription, d.Charges!.Period)).Distinct().ToList();
        var usages = (await usage.ForPeriodsAsync(started[0].OrganizationId, priced, ct))
            .ToDictionary(u => (u.Subscription.Id, u.Period.From));
        // Written once for the batch; a customer billed twice is saved in between, so its second invoice reads its ledger as left.
        var unsaved = new HashSet<Guid>();
        var made = new List<Invoice>();
        foreach (var invoice in due)
        {
            if (!unsaved.Add(invoice.Billing.Customer.Id))
            {
                await ledger.SaveAsync(ct);
                unsaved.Clear();
                unsaved.Add(invoice.Billing.Customer.Id);
            }
            made.Add(await InvoiceAsync(batch, invoice, invoice.Charges is { } c ? usages[(invoice.Billing.Subscription.Id, c.Period.From)] : null, ct));
        }
        await ledger.SaveAsync(ct);
        await webhooks.EnqueueAsync(made, "invoice.created", ct);
        return due.Count;
    }

    /// <summary>
    /// The termination hook: bills the periods still open up to the termination, inside the terminating transaction.
    /// Waits for a billing run that holds the subscription; a concurrent termination finds it terminated already.
    /// </summary>
    public async Task BillTerminationAsync(Subscription subscription, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("Termination bills inside the terminating transaction.");
        // Until the termination commits, no event of the organization is counted: it bills all usage counted before, and
        // events after it see the subscription ended. Taken before any row or customer lock.
        await db.LockEventsAsync(subscription.OrganizationId, ct);
        // Holds the row until the termination commits: the billing job skips it, a second termination waits and then sees it ended.
        var status = await db.Database.SqlQuery<string>($"SELECT status AS \"Value\" FROM subscriptions WHERE id = {subscription.Id} FOR UPDATE").ToListAsync(ct);
        if (status.SingleOrDefault() != SubscriptionStatus.Active || subscription.TerminatedAt is not { } terminatedAt) return;
        await BillDueAsync([subscription], terminatedAt, ct);
    }

    /// <summary>
    /// One subscription's invoices due by <paramref name="now"/>, in order: the opening (pay in advance), each ended
    /// period, the termination. Moves the subscription's <see cref="Subscription.NextBillingAt"/> past them.
    /// </summary>
    private static List<DueInvoice> Due(Batch batch, BillingContext billing, DateTimeOffset now)
    {
        var subscription = billing.Subscription;
        var startedAt = subscription.StartedAt!.Value;
        var billed = batch.Billed[subscription.Id].ToList();
        var feesBilled = billed.Where(b => b.FromDatetime is not null).Select(b => b.FromDatetime!.Value).ToHashSet();
        var terminatedAt = subscription.TerminatedAt;
        var end = terminatedAt ?? now;
        var due = new List<DueInvoice>();

        // Billing starts with the period the subscription was created in (Lago bills no period before that).
        var period = billed.Max(b => b.ChargesToDatetime) is { } lastBilled
            ? billing.Containing(billing.Containing(lastBilled).NextFrom)
            : billing.Containing(Later(startedAt, subscription.CreatedAt));
        if (billing.Plan.PayInAdvance && billed.Count == 0 && terminatedAt is null)
        {
            var from = Later(period.From, startedAt);
            due.Add(new DueInvoice(billing, InvoicingReason.Starting, new Window(period, from, period.NextFrom), null, from));
            feesBilled.Add(from);
        }

        while (period.NextFrom <= end)
        {
            var from = Later(period.From, startedAt);
            var next = billing.Containing(period.NextFrom);
            var fee = billing.Plan.PayInAdvance
                ? (feesBilled.Contains(next.From) || terminatedAt <= next.From ? null : new Window(next, next.From, next.NextFrom))
                : (feesBilled.Contains(from) ? null : new Window(period, from, period.NextFrom));
            due.Add(new DueInvoice(billing, InvoicingReason.Periodic, fee, new Window(period, from, period.NextFrom), period.To));
            if (fee is not null) feesBilled.Add(fee.From);
            period = next;
        }

        if (terminatedAt is { } ended && Later(period.From, startedAt) is var start && start < ended)
        {
            // A fee paid in advance for this period stays paid (Lago would refund the unused days with a credit note).
            var fee = feesBilled.Contains(start) ? null : new Window(period, start, ended);
            due.Add(new DueInvoice(billing, InvoicingReason.Terminating, fee, new Window(period, start, ended), ended));
        }

        subscription.NextBillingAt = terminatedAt is null ? period.NextFrom : null;
        return due;
    }

    private async Task<Invoice> InvoiceAsync(Batch batch, DueInvoice due, SubscriptionUsage? used, CancellationToken ct)
    {
        var (billing, fee, charges) = (due.Billing, due.Fee, due.Charges);
        var (subscription, plan, customer) = (billing.Subscription, billing.Plan, billing.Customer);
        var now = clock.GetUtcNow();
        var invoice = numbering.NewInvoice(customer, InvoiceType.Subscription, plan.AmountCurrency, batch.NextSequentialId(customer.Id));
        var taxesByCode = billing.TaxesByCode.ToDictionary(t => t.Key, t => t.Value);
        if (fee is not null)
        {
            var amount = SubscriptionFee.AmountCents(plan.AmountCents, fee.Period, fee.From, fee.EndExclusive, billing.Zone, billing.TrialEndsAt);
            var row = NewFee(invoice, FeeType.Subscription, subscription.Id, fee, now);
            row.Units = 1;
            row.UnitAmountCents = row.AmountCents = amount;
            row.PreciseAmountCents = amount;
            row.PayInAdvance = plan.PayInAdvance;
            (row.ItemCode, row.ItemName, row.InvoiceDisplayName, row.Description) = (plan.Code, plan.Name, plan.InvoiceDisplayName ?? plan.Name, plan.Description);
            InvoiceTotals.SetTaxes(row, FeeTaxes.For(FeeKind.Subscription, amount, billing.SubscriptionTaxLevels), taxesByCode);
            invoice.Fees.Add(row);
        }

        if (charges is not null && used is not null)
        {
            foreach (var tax in used.Plan.Charges.SelectMany(c => c.AppliedTaxes)) taxesByCode.TryAdd(tax.Tax.Code, tax.Tax);
            foreach (var draft in used.ChargeFees.Where(d => !d.Charge.PayInAdvance && d.Charge.Invoiceable && (d.Units != 0 || d.AmountCents != 0)))
            {
                var metric = draft.Charge.BillableMetric;
                var row = NewFee(invoice, FeeType.Charge, subscription.Id, charges, now);
                row.ChargeId = draft.Charge.Id;
                row.BillableMetricId = draft.Charge.BillableMetricId;
                // A charge that does not accept targets ignores one (seed 000's last row), whatever the usage row says.
                row.TargetWalletCode = draft.Charge.AcceptsTargetWallet ? draft.TargetWalletCode : null;
                row.Units = draft.Units;
                row.EventsCount = draft.EventsCount;
                row.AmountCents = draft.AmountCents;
                row.PreciseAmountCents = draft.PreciseAmountCents;
                row.UnitAmountCents = draft.Units == 0 ? 0 : decimal.ToInt64(decimal.Round(draft.PreciseAmountCents / draft.Units, 0, MidpointRounding.AwayFromZero));
                (row.ItemCode, row.ItemName, row.InvoiceDisplayName, row.Description) = (metric.Code, metric.Name, draft.Charge.InvoiceDisplayName ?? metric.Name, metric.Description);
                InvoiceTotals.SetTaxes(row, draft.Taxes, taxesByCode);
                invoice.Fees.Add(row);
            }
        }

        InvoiceTotals.Compute(invoice);
        invoice.Status = InvoiceStatus.Finalized;
        invoice.FinalizedAt = now;
        // Issued on the last day of the period it closes (Lago's `current_period_end` anchor), in the customer's time zone.
        invoice.IssuingDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(due.IssuedAt, billing.Zone).DateTime);
        invoice.PaymentDueDate = invoice.IssuingDate.AddDays(invoice.NetPaymentTerm);
        invoice.InvoiceSubscriptions.Add(new InvoiceSubscription
        {
            Id = Ids.New(), OrganizationId = invoice.OrganizationId, InvoiceId = invoice.Id, SubscriptionId = subscription.Id,
            InvoicingReason = due.Reason, FromDatetime = fee?.From, ToDatetime = fee?.To, ChargesFromDatetime = charges?.From,
            ChargesToDatetime = charges?.To, CreatedAt = now,
        });
        db.Invoices.Add(invoice);
        await prepaid.ApplyAsync(invoice, ct, batch.Wallets[customer.Id]);
        return invoice;
    }

    private static Fee NewFee(Invoice invoice, string type, Guid subscriptionId, Window window, DateTimeOffset now) => new()
    {
        Id = Ids.New(), OrganizationId = invoice.OrganizationId, InvoiceId = invoice.Id, FeeType = type, SubscriptionId = subscriptionId,
        FromDatetime = window.From, ToDatetime = window.To, CreatedAt = now, UpdatedAt = now,
    };

    /// <summary>Everything the subscriptions' invoices need that can be read once for all of them.</summary>
    private async Task<Batch> BatchAsync(List<Subscription> subscriptions, CancellationToken ct)
    {
        var organizationId = subscriptions[0].OrganizationId;
        if (subscriptions.Any(s => s.OrganizationId != organizationId)) throw new ArgumentException("One organization per batch.", nameof(subscriptions));
        var ids = subscriptions.Select(s => s.Id).ToList();
        var planIds = subscriptions.Select(s => s.PlanId).Distinct().ToList();
        var customerIds = subscriptions.Select(s => s.CustomerId).Distinct().Order().ToList();

        // Serializes these customers' wallet balances and invoice numbers with every other writer of them, in the lock's one order.
        await db.LockCustomersAsync(customerIds, ct);
        var plans = await db.Plans.IgnoreQueryFilters().AsNoTracking().Include(p => p.AppliedTaxes)
            .Where(p => p.OrganizationId == organizationId && planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var customers = await db.Customers.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganizationId == organizationId && customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var organizationTaxes = await db.Taxes.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.OrganizationId == organizationId && t.AppliedToOrganization).ToListAsync(ct);
        var billed = await db.InvoiceSubscriptions.IgnoreQueryFilters().Where(s => ids.Contains(s.SubscriptionId))
            .Select(s => new BilledPeriod(s.SubscriptionId, s.FromDatetime, s.ChargesToDatetime)).ToListAsync(ct);
        // Tracked for the batch: prepaid credits change them in memory, and each change is saved before the customer's next invoice.
        var wallets = (await db.Wallets.IgnoreQueryFilters().Where(w => customerIds.Contains(w.CustomerId) && w.Status == WalletStatus.Active).ToListAsync(ct))
            .ToLookup(w => w.CustomerId);
        var sequences = await db.Invoices.IgnoreQueryFilters().Where(i => customerIds.Contains(i.CustomerId))
            .GroupBy(i => i.CustomerId).Select(g => new { g.Key, Last = g.Max(i => i.SequentialId) }).ToDictionaryAsync(g => g.Key, g => g.Last, ct);

        return new Batch(
            subscriptions.ToDictionary(s => s.Id, s => new BillingContext(s, plans[s.PlanId], customers[s.CustomerId], organizationTaxes)),
            billed.ToLookup(b => b.SubscriptionId), sequences, wallets);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed record BilledPeriod(Guid SubscriptionId, DateTimeOffset? FromDatetime, DateTimeOffset? ChargesToDatetime);

    /// <summary>An invoice to make: for which reason, the base-fee window (if any), the usage window (if any), the day it is issued.</summary>
    private sealed record DueInvoice(BillingContext Billing, string Reason, Window? Fee, Window? Charges, DateTimeOffset IssuedAt);

    /// <summary>What a batch of subscriptions shares: their contexts, what was billed, the customers' last invoice numbers and wallets.</summary>
    private sealed record Batch(
        Dictionary<Guid, BillingContext> Contexts, ILookup<Guid, BilledPeriod> Billed, Dictionary<Guid, long> LastSequentialIds, ILookup<Guid, Wallet> Wallets)
    {
        public long NextSequentialId(Guid customerId) => LastSequentialIds[customerId] = LastSequentialIds.GetValueOrDefault(customerId) + 1;
    }

    /// <summary>Part of one billing period: <c>[From, EndExclusive)</c>; <see cref="To"/> is how Lago shows its end.</summary>
    private sealed record Window(BillingPeriod Period, DateTimeOffset From, DateTimeOffset EndExclusive)
    {
        public DateTimeOffset To => EndExclusive == Period.NextFrom ? Period.To : EndExclusive;
    }

    /// <summary>What billing one subscription needs: its plan, customer, time zone, trial and tax levels.</summary>
    private sealed class BillingContext(Subscription subscription, Plan plan, Customer customer, List<Tax> organizationTaxes)
    {
        public Subscription Subscription => subscription;
        public Plan Plan => plan;
        public Customer Customer => customer;
        public TimeZoneInfo Zone { get; } = SubscriptionViews.ZoneOf(customer);

        public DateTimeOffset? TrialEndsAt => plan.TrialPeriod is > 0 && subscription.StartedAt is { } started
            ? started.AddTicks(decimal.ToInt64(plan.TrialPeriod.Value * TimeSpan.TicksPerDay))
            : null;

        public TaxLevels SubscriptionTaxLevels { get; } = new(TaxLevels.None, Rates(plan.AppliedTaxes.Select(t => t.Tax)),
            Rates(customer.AppliedTaxes.Select(t => t.Tax)), Rates(organizationTaxes));

        public IReadOnlyDictionary<string, Tax> TaxesByCode { get; } = plan.AppliedTaxes.Select(t => t.Tax)
            .Concat(customer.AppliedTaxes.Select(t => t.Tax)).Concat(organizationTaxes).DistinctBy(t => t.Code).ToDictionary(t => t.Code);

        public BillingPeriod Containing(DateTimeOffset instant) => UsageCalculator.PeriodContaining(subscription, plan, customer, instant);

        private static List<TaxRate> Rates(IEnumerable<Tax> taxes) => taxes.Select(t => new TaxRate(t.Code, t.Rate)).ToList();
    }
}
