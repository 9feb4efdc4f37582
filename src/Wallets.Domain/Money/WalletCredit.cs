namespace Wallets.Domain.Money;

/// <summary>
/// One amount of wallet credit seen both ways: <see cref="Credits"/> (numeric(30,5)), <see cref="Amount"/> in
/// currency units rounded to the currency exponent, and <see cref="AmountCents"/> in minor units.
/// Produced only by <see cref="CreditRate"/>, so the three values always agree.
/// </summary>
public sealed record WalletCredit(decimal Credits, decimal Amount, long AmountCents);
