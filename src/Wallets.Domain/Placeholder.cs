namespace Wallets.Domain; public static class Placeholder {}
