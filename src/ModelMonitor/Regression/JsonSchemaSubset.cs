using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelMonitor.Regression;

/// The part of JSON Schema that regression suites use: type, properties, required, items, enum, const,
/// minimum/maximum (and the exclusive pair), minLength/maxLength, minItems/maxItems,
/// additionalProperties (false or a schema), anyOf/allOf/oneOf. Annotations ($schema, title, description,
/// format, default, examples…) are accepted and ignored. Anything else ($ref, patternProperties,
/// if/then…) is refused when the suite loads rather than silently not checked.
public sealed class JsonSchemaSubset
{
    private static readonly HashSet<string> Annotations =
        ["$schema", "$id", "$comment", "title", "description", "format", "default", "examples", "deprecated", "readOnly", "writeOnly"];

    private string[]? _types;
    private Dictionary<string, JsonSchemaSubset>? _properties;
    private string[] _required = [];
    private JsonSchemaSubset? _items;
    private JsonNode?[]? _enum;
    private JsonNode? _const;
    private bool _hasConst;
    private double? _minimum, _maximum, _exclusiveMinimum, _exclusiveMaximum;
    private int? _minLength, _maxLength, _minItems, _maxItems;
    private bool _noAdditional;
    private JsonSchemaSubset? _additional;
    private JsonSchemaSubset[]? _anyOf, _allOf, _oneOf;

    private JsonSchemaSubset()
    {
    }

    /// Compiles a schema; problems are added to errors with a JSON-pointer-like path.
    public static JsonSchemaSubset? Compile(JsonNode? node, List<string> errors) => Compile(node, "#", errors);

    private static JsonSchemaSubset? Compile(JsonNode? node, string path, List<string> errors)
    {
        if (node is JsonValue v && v.TryGetValue<bool>(out var b))
            return b ? new JsonSchemaSubset() : new JsonSchemaSubset { _enum = [] };
        if (node is not JsonObject obj)
        {
            errors.Add($"{path}: a schema must be an object or a boolean");
            return null;
        }
        var s = new JsonSchemaSubset();
        foreach (var (key, value) in obj)
        {
            var at = $"{path}/{key}";
            switch (key)
            {
                case "type":
                    s._types = value switch
                    {
                        JsonArray a => a.Select(t => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "").ToArray(),
                        JsonValue t when t.GetValueKind() == JsonValueKind.String => [t.GetValue<string>()],
                        _ => [""],
                    };
                    foreach (var t in s._types.Where(t => t is not ("object" or "array" or "string" or "number" or "integer" or "boolean" or "null")))
                        errors.Add($"{at}: unknown type '{t}'");
                    break;
                case "properties":
                    if (value is not JsonObject props)
                    {
                        errors.Add($"{at}: must be an object");
                        break;
                    }
                    s._properties = new Dictionary<string, JsonSchemaSubset>(StringComparer.Ordinal);
                    foreach (var (name, sub) in props)
                        if (Compile(sub, $"{at}/{name}", errors) is { } compiled)
                            s._properties[name] = compiled;
                    break;
                case "required":
                    if (value is JsonArray req && req.All(r => r?.GetValueKind() == JsonValueKind.String))
                        s._required = req.Select(r => r!.GetValue<string>()).ToArray();
                    else
                        errors.Add($"{at}: must be a list of property names");
                    break;
                case "items":
                    s._items = Compile(value, at, errors);
                    break;
                case "enum":
                    if (value is JsonArray options)
                        s._enum = options.ToArray();
                    else
                        errors.Add($"{at}: must be a list");
                    break;
                case "const":
                    s._const = value;
                    s._hasConst = true;
                    break;
                case "minimum": s._minimum = Number(value, at, errors); break;
                case "maximum": s._maximum = Number(value, at, errors); break;
                case "exclusiveMinimum": s._exclusiveMinimum = Number(value, at, errors); break;
                case "exclusiveMaximum": s._exclusiveMaximum = Number(value, at, errors); break;
                case "minLength": s._minLength = Count(value, at, errors); break;
                case "maxLength": s._maxLength = Count(value, at, errors); break;
                case "minItems": s._minItems = Count(value, at, errors); break;
                case "maxItems": s._maxItems = Count(value, at, errors); break;
                case "additionalProperties":
                    if (value is JsonValue flag && flag.TryGetValue<bool>(out var allowed))
                        s._noAdditional = !allowed;
                    else
                        s._additional = Compile(value, at, errors);
                    break;
                case "anyOf": s._anyOf = List(value, at, errors); break;
                case "allOf": s._allOf = List(value, at, errors); break;
                case "oneOf": s._oneOf = List(value, at, errors); break;
                default:
                    if (!Annotations.Contains(key))
                        errors.Add($"{at}: JSON Schema keyword '{key}' is not supported (supported: type, properties, required, items, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, minItems, maxItems, additionalProperties, anyOf, allOf, oneOf)");
                    break;
            }
        }
        return s;
    }

    // Numbers built from YAML hold long or double; numbers parsed from JSON hold a JsonElement.
    private static double? AsDouble(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            return null;
        if (v.TryGetValue<double>(out var d))
            return d;
        if (v.TryGetValue<long>(out var l))
            return l;
        if (v.TryGetValue<int>(out var i))
            return i;
        return v.TryGetValue<decimal>(out var m) ? (double)m : null;
    }

    private static double? Number(JsonNode? value, string at, List<string> errors)
    {
        if (AsDouble(value) is { } d)
            return d;
        errors.Add($"{at}: must be a number");
        return null;
    }

    private static int? Count(JsonNode? value, string at, List<string> errors)
    {
        if (AsDouble(value) is { } d && d >= 0 && d <= int.MaxValue && d % 1 == 0)
            return (int)d;
        errors.Add($"{at}: must be a non-negative whole number");
        return null;
    }

    private static JsonSchemaSubset[]? List(JsonNode? value, string at, List<string> errors)
    {
        if (value is not JsonArray { Count: > 0 } list)
        {
            errors.Add($"{at}: must be a non-empty list of schemas");
            return null;
        }
        return list.Select((n, i) => Compile(n, $"{at}/{i}", errors)).OfType<JsonSchemaSubset>().ToArray();
    }

    /// Null when the instance conforms, else the first violation found, with its location.
    public string? Validate(JsonNode? instance) => Validate(instance, "$");

    private string? Validate(JsonNode? node, string path)
    {
        var kind = node?.GetValueKind() ?? JsonValueKind.Null;
        if (_types is not null && !_types.Any(t => Is(t, node, kind)))
            return $"{path}: expected {string.Join(" or ", _types)}, got {Describe(kind)}";
        if (_enum is not null && !_enum.Any(e => JsonNode.DeepEquals(e, node)))
            return _enum.Length == 0 ? $"{path}: no value is allowed here" : $"{path}: {Short(node)} is not one of the allowed values";
        if (_hasConst && !JsonNode.DeepEquals(_const, node))
            return $"{path}: must equal {Short(_const)}";

        if (kind == JsonValueKind.Number)
        {
            var n = AsDouble(node)!.Value;
            if (n < _minimum) return $"{path}: {Format(n)} is below the minimum {Format(_minimum!.Value)}";
            if (n > _maximum) return $"{path}: {Format(n)} is above the maximum {Format(_maximum!.Value)}";
            if (n <= _exclusiveMinimum) return $"{path}: {Format(n)} must be above {Format(_exclusiveMinimum!.Value)}";
            if (n >= _exclusiveMaximum) return $"{path}: {Format(n)} must be below {Format(_exclusiveMaximum!.Value)}";
        }
        else if (kind == JsonValueKind.String)
        {
            var text = node!.GetValue<string>();
            // JSON Schema counts code points, not UTF-16 units.
            var length = text.EnumerateRunes().Count();
            if (length < _minLength) return $"{path}: shorter than {_minLength} characters";
            if (length > _maxLength) return $"{path}: longer than {_maxLength} characters";
        }
        else if (node is JsonArray array)
        {
            if (array.Count < _minItems) return $"{path}: fewer than {_minItems} items";
            if (array.Count > _maxItems) return $"{path}: more than {_maxItems} items";
            if (_items is not null)
                for (var i = 0; i < array.Count; i++)
                    if (_items.Validate(array[i], $"{path}[{i}]") is { } error)
                        return error;
        }
        else if (node is JsonObject obj)
        {
            foreach (var name in _required)
                if (!obj.ContainsKey(name))
                    return $"{path}: missing required property '{name}'";
            foreach (var (name, value) in obj)
            {
                if (_properties is not null && _properties.TryGetValue(name, out var sub))
                {
                    if (sub.Validate(value, $"{path}.{name}") is { } error)
                        return error;
                }
                else if (_noAdditional)
                    return $"{path}: property '{name}' is not allowed";
                else if (_additional?.Validate(value, $"{path}.{name}") is { } error)
                    return error;
            }
        }

        if (_allOf is not null)
            foreach (var s in _allOf)
                if (s.Validate(node, path) is { } error)
                    return error;
        if (_anyOf is not null && _anyOf.All(s => s.Validate(node, path) is not null))
            return $"{path}: matches none of anyOf";
        if (_oneOf is not null && _oneOf.Count(s => s.Validate(node, path) is null) != 1)
            return $"{path}: must match exactly one of oneOf";
        return null;
    }

    private static bool Is(string type, JsonNode? node, JsonValueKind kind) => type switch
    {
        "object" => kind == JsonValueKind.Object,
        "array" => kind == JsonValueKind.Array,
        "string" => kind == JsonValueKind.String,
        "number" => kind == JsonValueKind.Number,
        "integer" => kind == JsonValueKind.Number && AsDouble(node) % 1 == 0,
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "null" => kind == JsonValueKind.Null,
        _ => false,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 40 ? text : text[..40] + "…";
    }

    private static string Format(double n) => n.ToString(CultureInfo.InvariantCulture);
}
