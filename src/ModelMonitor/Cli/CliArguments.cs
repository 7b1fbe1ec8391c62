namespace ModelMonitor.Cli;

/// The options after a verb: `--name value` pairs and bare `--flag`s. Unknown options are errors.
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public CliArguments(IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> options)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (flags.Contains(name) && eq < 0)
                _values[name] = null;
            else if (options.Contains(name))
            {
                if (eq > 0)
                    _values[name] = arg[(eq + 1)..];
                else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    _values[name] = args[++i];
                else
                    throw new CliUsageException($"{name} needs a value.");
            }
            else
                throw new CliUsageException($"unknown option '{arg}'.");
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) =>
        Get(name) is { Length: > 0 } value ? value : throw new CliUsageException($"{name} is required.");

    public int? GetInt(string name, int min, int max)
    {
        if (Get(name) is not { } raw)
            return null;
        if (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new CliUsageException($"{name} must be a whole number from {min} to {max}, not '{raw}'.");
        return value;
    }

    public DateOnly? GetDate(string name)
    {
        if (Get(name) is not { } raw)
            return null;
        return DateOnly.TryParseExact(raw, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)
            ? date
            : throw new CliUsageException($"{name} must be a date as YYYY-MM-DD, not '{raw}'.");
    }
}

public sealed class CliUsageException(string message) : Exception(message);
