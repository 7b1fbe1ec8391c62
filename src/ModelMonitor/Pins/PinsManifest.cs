using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ModelMonitor.Pins;

/// `.monitor/pins.yaml`: an app's pins in the API's shape, as YAML. Parsed by hand from YamlDotNet's nodes so
/// that every error says where (line, field), scalars keep their text (`version: 2024-11-20` stays a string),
/// and a hostile file cannot blow up: a size cap, an alias cap and a depth cap are checked before building nodes.
public static class PinsManifest
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxAliases = 50;
    public const int MaxDepth = 16;

    private static readonly string[] TopLevel = ["app", "description", "pins"];
    private static readonly string[] PinFields =
        ["provider", "model", "version", "platform", "region", "environment", "monthlyInputTokens", "monthlyOutputTokens"];

    public sealed record Document(string? App, PutAppRequest Request);

    public sealed record Result(Document? Manifest, string? Error);

    public static Result Parse(string text)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
            return Fail($"the manifest is larger than {MaxBytes / 1024} KiB.");
        try
        {
            if (Scan(text) is { } scanError)
                return Fail(scanError);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1)
                return Fail(stream.Documents.Count == 0 ? "the manifest is empty." : $"the manifest holds {stream.Documents.Count} YAML documents; expected one.");
            return Read(stream.Documents[0].RootNode);
        }
        catch (YamlException ex)
        {
            // YamlDotNet's messages are about YAML syntax; keep them, with where.
            return Fail($"line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }
        catch (ManifestException ex)
        {
            return Fail(ex.Message);
        }
    }

    /// Then validated exactly as the API validates a PUT body; errors name the field as in the API.
    public static (Document? Manifest, AppSpec? Spec, string? Error) ParseAndValidate(string text)
    {
        var parsed = Parse(text);
        if (parsed.Manifest is not { } manifest)
            return (null, null, parsed.Error);
        var (spec, errors) = PinsValidation.Validate(manifest.Request);
        if (spec is null)
            return (manifest, null, string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
        if (manifest.App is not null && !PinsValidation.IsSlug(manifest.App))
            return (manifest, null, "app: must be 1 to 63 lowercase letters, digits or '-'.");
        return (manifest, spec, null);
    }

    private static Result Fail(string error) => new(null, error);

    // Counts aliases and nesting on the event stream, before any node graph exists.
    private static string? Scan(string text)
    {
        var parser = new Parser(new StringReader(text));
        int aliases = 0, depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case AnchorAlias alias when ++aliases > MaxAliases:
                    return $"line {alias.Start.Line}: the manifest uses more than {MaxAliases} YAML aliases.";
                case MappingStart or SequenceStart when ++depth > MaxDepth:
                    return $"line {parser.Current.Start.Line}: the manifest nests deeper than {MaxDepth} levels.";
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
        return null;
    }

    private static Result Read(YamlNode root)
    {
        if (root is YamlScalarNode { Value: null or "" } or YamlScalarNode { Value: "~" or "null" })
            return Fail("the manifest is empty.");
        var map = Mapping(root, "the manifest", "a mapping with 'pins' (and optionally 'app', 'description')");
        string? app = null, description = null;
        List<PinRequest?>? pins = null;
        foreach (var (key, value) in Entries(map, "", TopLevel))
        {
            switch (key)
            {
                case "app":
                    app = Scalar(value, "app");
                    break;
                case "description":
                    description = Scalar(value, "description");
                    break;
                case "pins":
                    pins = ReadPins(value);
                    break;
            }
        }
        return new Result(new Document(app, new PutAppRequest(description, null, null, pins)), null);
    }

    private static List<PinRequest?>? ReadPins(YamlNode node)
    {
        if (IsNull(node))
            return null;
        if (node is not YamlSequenceNode list)
            throw new ManifestException($"line {node.Start.Line}: pins must be a list of pins (each '- provider: … model: …').");
        if (list.Children.Count > PinsValidation.MaxPins)
            throw new ManifestException($"pins: must hold at most {PinsValidation.MaxPins} pins (it has {list.Children.Count}).");
        var pins = new List<PinRequest?>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var field = $"pins[{i}]";
            if (IsNull(list.Children[i]))
            {
                pins.Add(null);
                continue;
            }
            var map = Mapping(list.Children[i], field, "a mapping with provider and model");
            var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (key, value) in Entries(map, field + ".", PinFields))
                values[key] = value;
            string? Text(string name) => values.TryGetValue(name, out var v) ? Scalar(v, $"{field}.{name}") : null;
            pins.Add(new PinRequest(
                Text("provider"), Text("model"), Text("version"), Text("platform"), Text("region"), Text("environment"),
                Number(Text("monthlyInputTokens"), $"{field}.monthlyInputTokens", values.GetValueOrDefault("monthlyInputTokens")),
                Number(Text("monthlyOutputTokens"), $"{field}.monthlyOutputTokens", values.GetValueOrDefault("monthlyOutputTokens"))));
        }
        return pins;
    }

    private static YamlMappingNode Mapping(YamlNode node, string what, string expected) =>
        node as YamlMappingNode ?? throw new ManifestException($"line {node.Start.Line}: {what} must be {expected}.");

    private static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode map, string prefix, string[] allowed)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw new ManifestException($"line {keyNode.Start.Line}: keys must be plain names.");
            if (!allowed.Contains(key, StringComparer.Ordinal))
                throw new ManifestException($"line {keyNode.Start.Line}: {prefix}{key} is not a known field (known: {string.Join(", ", allowed)}).");
            yield return (key, value);
        }
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string? Scalar(YamlNode node, string field)
    {
        if (IsNull(node))
            return null;
        return node is YamlScalarNode scalar
            ? scalar.Value
            : throw new ManifestException($"line {node.Start.Line}: {field} must be a single value, not a list or mapping.");
    }

    private static long? Number(string? text, string field, YamlNode? node)
    {
        if (text is null)
            return null;
        return long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ManifestException($"line {node?.Start.Line}: {field} must be a whole number, not '{text}'.");
    }

    private sealed class ManifestException(string message) : Exception(message);
}
