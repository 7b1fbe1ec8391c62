namespace ModelMonitor.Bench;

/// One benchmark the tool can run, chosen by its first argument.
internal sealed record BenchCommand(string Name, string Usage, string Summary, Func<BenchOptions, int> Run);

/// `--name value` options after the benchmark's name.
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values;

    private BenchOptions(Dictionary<string, string> values) => _values = values;

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--name value', not '{args[i]}'.");
            values[args[i]] = args[++i];
        }
        return new BenchOptions(values);
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public int GetInt(string name, int fallback, int min, int max)
    {
        if (Get(name) is not { } raw)
            return fallback;
        return int.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{raw}'.");
    }

    public void RejectUnknown(params string[] known)
    {
        foreach (var name in _values.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
                throw new ArgumentException($"unknown option '{name}'.");
        }
    }
}
