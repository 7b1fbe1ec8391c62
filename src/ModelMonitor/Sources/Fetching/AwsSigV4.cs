using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModelMonitor.Sources.Fetching;

/// AWS credentials as the AWS tools read them from the environment. The secret only ever keys an HMAC.
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    public const string AccessKeyIdVariable = "AWS_ACCESS_KEY_ID";
    public const string SecretAccessKeyVariable = "AWS_SECRET_ACCESS_KEY";
    public const string SessionTokenVariable = "AWS_SESSION_TOKEN";

    /// The credentials in configuration (which includes the environment), or null unless both key parts are set.
    public static AwsCredentials? From(IConfiguration configuration) =>
        configuration[AccessKeyIdVariable] is { Length: > 0 } id && configuration[SecretAccessKeyVariable] is { Length: > 0 } secret
            ? new AwsCredentials(id, secret, configuration[SessionTokenVariable] is { Length: > 0 } token ? token : null)
            : null;

    // Records print their members; this one must not.
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}

/// Where a request signed with Signature Version 4 goes: the credentials, the region and the service (`bedrock`).
public sealed record AwsSigning(AwsCredentials Credentials, string Region, string Service);

/// Signature Version 4 for a GET without a body, as AWS documents it: a canonical request (method, URI-encoded path,
/// sorted query, the signed headers, the payload's SHA-256), a string to sign under the date's credential scope,
/// and an HMAC-SHA256 with a key derived from the secret, the date, the region and the service.
public static class AwsSigV4
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private static readonly string EmptyPayloadHash = Convert.ToHexStringLower(SHA256.HashData([]));

    public static void Sign(HttpRequestMessage request, AwsSigning signing, DateTimeOffset now)
    {
        var url = request.RequestUri ?? throw new ArgumentException("The request has no URL.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = amzDate[..8];
        var credentials = signing.Credentials;

        request.Headers.Remove("x-amz-date");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}",
            ["x-amz-date"] = amzDate,
        };
        if (credentials.SessionToken is { } token)
        {
            request.Headers.Remove("x-amz-security-token");
            request.Headers.TryAddWithoutValidation("x-amz-security-token", token);
            headers["x-amz-security-token"] = token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(CanonicalPath(url)).Append('\n')
            .Append(CanonicalQuery(url)).Append('\n');
        foreach (var (name, value) in headers)
            canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(EmptyPayloadHash);

        var scope = $"{day}/{signing.Region}/{signing.Service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), day);
        key = Hmac(key, signing.Region);
        key = Hmac(key, signing.Service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    // Every segment percent-encoded as RFC 3986 unreserved characters allow, and then once more (all services but S3).
    private static string CanonicalPath(Uri url)
    {
        var path = url.AbsolutePath;
        if (path.Length == 0)
            return "/";
        var segments = path.Split('/').Select(segment => Encode(Encode(Uri.UnescapeDataString(segment))));
        return string.Join('/', segments);
    }

    private static string CanonicalQuery(Uri url)
    {
        var query = url.Query.TrimStart('?');
        if (query.Length == 0)
            return "";
        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
                return (Name: Encode(name), Value: Encode(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
    }

    // RFC 3986: letters, digits and -._~ stay; every other byte of the UTF-8 becomes %XX in upper case.
    private static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
