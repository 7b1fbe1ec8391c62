using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ModelMonitor.Pins.Auth;

/// Team tokens: 256 random bits, shown once, stored only as their SHA-256. A fast hash is enough here:
/// the input is random and long, so there is nothing to brute-force, and lookups stay one index probe.
public static class TeamTokens
{
    public const string Prefix = "mon_";
    private const int RandomBytes = 32;

    public static string Generate() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(RandomBytes));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    // Only the shape; whether it belongs to a team is a database question.
    public static bool LooksLikeATeamToken(string token) =>
        token.Length == Prefix.Length + 43 && token.StartsWith(Prefix, StringComparison.Ordinal);
}
