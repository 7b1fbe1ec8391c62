using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace ModelMonitor.Sources.Fetching;

/// Checks shared by every way of getting a page: UTF-8 only, and the hash that decides "unchanged".
public static class PageContent
{
    public static string Hash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// The text of UTF-8 bytes (a BOM dropped), or an error naming the first invalid byte.
    public static (string? Text, string? Error) Decode(byte[] content)
    {
        var span = content.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble))
            span = span[3..];
        if (!Utf8.IsValid(span))
        {
            var offset = FirstInvalidByte(span) + (content.Length - span.Length);
            return (null, $"content is not valid UTF-8 (first invalid byte 0x{content[offset]:X2} at offset {offset})");
        }
        return (Encoding.UTF8.GetString(span), null);
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> span)
    {
        var chars = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            var consumed = 0;
            while (consumed < span.Length)
            {
                var status = Utf8.ToUtf16(span[consumed..], chars, out var read, out _, replaceInvalidSequences: false);
                consumed += read;
                if (status == OperationStatus.InvalidData)
                    return consumed;
                if (status == OperationStatus.NeedMoreData)
                    return consumed;
            }
            return 0;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
