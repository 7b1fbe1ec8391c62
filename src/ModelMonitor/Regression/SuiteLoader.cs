using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelMonitor.Regression;

public sealed record SuiteError(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}

/// A suite that cannot run; lists every problem found in the file, each with line and field.
public sealed class SuiteException(string file, IReadOnlyList<SuiteError> errors)
    : Exception($"{file}: {errors.Count} problem(s) in the suite:\n" + string.Join('\n', errors))
{
    public string File { get; } = file;
    public IReadOnlyList<SuiteError> Errors { get; } = errors;
}

/// Reads a promptfoo-style suite (YAML, or JSON, which the YAML parser reads too) into cases.
/// Every error is collected (not just the first) and raised together before any model is called.
public sealed class SuiteLoader(IOptions<RegressionOptions> options)
{
    private static readonly HashSet<string> IgnoredTopLevel =
        ["providers", "outputPath", "sharing", "env", "evaluateOptions", "commandLineOptions", "tags", "writeLatestResults", "metadata", "$schema"];

    private static readonly Dictionary<string, AssertionKind> Kinds = new(StringComparer.Ordinal)
    {
        ["equals"] = AssertionKind.Equals,
        ["contains"] = AssertionKind.Contains,
        ["icontains"] = AssertionKind.IContains,
        ["contains-any"] = AssertionKind.ContainsAny,
        ["icontains-any"] = AssertionKind.IContainsAny,
        ["contains-all"] = AssertionKind.ContainsAll,
        ["icontains-all"] = AssertionKind.IContainsAll,
        ["starts-with"] = AssertionKind.StartsWith,
        ["regex"] = AssertionKind.Regex,
        ["is-json"] = AssertionKind.IsJson,
        ["contains-json"] = AssertionKind.ContainsJson,
        ["json-schema"] = AssertionKind.JsonSchema,
        ["similar"] = AssertionKind.Similar,
        ["latency"] = AssertionKind.Latency,
        ["cost"] = AssertionKind.Cost,
        ["llm-rubric"] = AssertionKind.LlmRubric,
    };

    public static IReadOnlyCollection<string> SupportedTypes => Kinds.Keys;

    private readonly RegressionOptions _options = options.Value;

    public Suite Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new SuiteException(path, [new SuiteError(path, 0, 0, "(file)", "file not found")]);
        if (info.Length > _options.Suite.MaxFileBytes)
            throw TooBig(path, info.Length);
        return Parse(File.ReadAllText(path), path);
    }

    /// Parses suite text; name is what error messages call the file (a path, or `team/app/suite`).
    public Suite Parse(string text, string name)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount > _options.Suite.MaxFileBytes)
            throw TooBig(name, byteCount);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

        var reader = new Reader(name, _options);
        SuiteNode? root;
        try
        {
            var documents = SuiteYaml.Load(new LimitedParser(new Parser(new StringReader(text)), _options.Suite));
            root = documents.Count switch
            {
                0 => null,
                1 => documents[0],
                _ => throw new SuiteException(name, [new SuiteError(name, 1, 1, "(file)", "holds several YAML documents; a suite is one")]),
            };
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException is SuiteLimitException limit ? limit.Message : FirstLine(ex.Message);
            throw new SuiteException(name, [new SuiteError(name, Line(ex.Start), Column(ex.Start), "(syntax)", message)]);
        }
        catch (SuiteLimitException ex)
        {
            throw new SuiteException(name, [new SuiteError(name, 0, 0, "(file)", ex.Message)]);
        }
        if (root is null)
            throw new SuiteException(name, [new SuiteError(name, 1, 1, "(file)", "is empty")]);

        try
        {
            var suite = reader.Read(root, sha);
            if (reader.Errors.Count > 0)
                throw new SuiteException(name, reader.Errors);
            return suite!;
        }
        catch (SuiteLimitException ex)
        {
            throw new SuiteException(name, [.. reader.Errors, new SuiteError(name, 0, 0, "(file)", ex.Message)]);
        }
    }

    private SuiteException TooBig(string name, long bytes) =>
        new(name, [new SuiteError(name, 0, 0, "(file)", $"is {bytes:N0} bytes, over the limit of {_options.Suite.MaxFileBytes:N0} (Regression:Suite:MaxFileBytes)")]);

    private static string FirstLine(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (…): "; the position is reported separately.
        var text = message.Split('\n')[0];
        var dash = text.IndexOf("): ", StringComparison.Ordinal);
        return dash >= 0 ? text[(dash + 3)..] : text;
    }

    private static int Line(Mark mark) => (int)mark.Line;

    private static int Column(Mark mark) => (int)mark.Column;

    private sealed class SuiteLimitException(string message) : Exception(message);

    /// Counts parser events and aliases so a hostile file fails fast instead of exhausting memory.
    private sealed class LimitedParser(IParser inner, SuiteLimits limits) : IParser
    {
        private int _events;
        private int _aliases;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
                return false;
            if (++_events > limits.MaxNodes)
                throw new SuiteLimitException($"has more than {limits.MaxNodes:N0} YAML nodes (Regression:Suite:MaxNodes)");
            if (inner.Current is AnchorAlias && ++_aliases > limits.MaxAliases)
                throw new SuiteLimitException($"uses more than {limits.MaxAliases:N0} YAML aliases (Regression:Suite:MaxAliases)");
            return true;
        }
    }

    private sealed record Test(
        int Index,
        SuiteNode Node,
        string? Description,
        Dictionary<string, string> Vars,
        List<(SuiteMapping Node, string Field)> Asserts,
        CaseOptions Options,
        bool Critical);

    private sealed record Prompt(SuiteNode Node, string Field, IReadOnlyList<PromptMessage> Messages);

    private sealed class Reader(string file, RegressionOptions options)
    {
        public List<SuiteError> Errors { get; } = [];
        private int _visited;

        private void Error(SuiteNode node, string field, string message) =>
            Errors.Add(new SuiteError(file, Line(node.Start), Column(node.Start), field, message));

        // Aliases are expanded by walking them; this bounds the walk, whatever the file's shape.
        private void Visit()
        {
            if (++_visited > options.Suite.MaxNodes)
                throw new SuiteLimitException($"expands to more than {options.Suite.MaxNodes:N0} YAML nodes through aliases (Regression:Suite:MaxNodes)");
        }

        public Suite? Read(SuiteNode root, string sha)
        {
            Visit();
            if (root is not SuiteMapping map)
            {
                Error(root, "(file)", "must be a mapping with prompts and tests");
                return null;
            }

            string? description = null;
            List<Prompt> prompts = [];
            var sawPrompts = false;
            SuiteNode? testsNode = null;
            SuiteMapping? defaultTest = null;
            foreach (var (keyNode, value) in map.Children)
            {
                Visit();
                var key = Key(keyNode);
                switch (key)
                {
                    case "description":
                        description = Scalar(value, "description");
                        break;
                    case "prompts":
                        sawPrompts = true;
                        prompts = ReadPrompts(value);
                        break;
                    case "tests":
                        testsNode = value;
                        break;
                    case "defaultTest":
                        if (value is SuiteMapping d)
                            defaultTest = d;
                        else
                            Error(value, "defaultTest", "must be a mapping (vars, assert, options)");
                        break;
                    case "scenarios" or "derivedMetrics" or "redteam" or "extensions" or "nunjucksFilters":
                        Error(keyNode, key, "is a promptfoo feature Monitor does not support; remove it");
                        break;
                    default:
                        if (!IgnoredTopLevel.Contains(key))
                            Error(keyNode, key, "unknown key (expected description, prompts, tests, defaultTest; providers is ignored)");
                        break;
                }
            }
            if (!sawPrompts)
                Error(map, "prompts", "is missing: a suite needs at least one prompt");
            if (testsNode is null)
                Error(map, "tests", "is missing: a suite needs at least one test");

            var defaults = defaultTest is null ? null : ReadTest(defaultTest, "defaultTest", -1, null);
            List<Test> tests = [];
            if (testsNode is SuiteSequence testList)
            {
                if (testList.Children.Count == 0)
                    Error(testList, "tests", "is empty");
                for (var i = 0; i < testList.Children.Count; i++)
                {
                    Visit();
                    var field = $"tests[{i}]";
                    if (testList.Children[i] is SuiteMapping t)
                    {
                        if (ReadTest(t, field, i, defaults) is { } test)
                            tests.Add(test);
                    }
                    else
                        Error(testList.Children[i], field, "must be a mapping (vars, assert, description, options, critical)");
                }
            }
            else if (testsNode is not null)
                Error(testsNode, "tests", testsNode is SuiteScalar ? "loading tests from another file is not supported; list them inline" : "must be a list");

            List<SuiteCase> cases = [];
            foreach (var test in tests)
                for (var p = 0; p < prompts.Count; p++)
                    if (BuildCase(test, prompts[p], p, prompts.Count) is { } c)
                        cases.Add(c);
            return new Suite(file, sha, description, cases);
        }

        private List<Prompt> ReadPrompts(SuiteNode node)
        {
            List<Prompt> prompts = [];
            if (node is SuiteScalar)
            {
                if (ReadPrompt(node, "prompts") is { } single)
                    prompts.Add(single);
                return prompts;
            }
            if (node is not SuiteSequence list || list.Children.Count == 0)
            {
                Error(node, "prompts", "must be a non-empty list of prompts");
                return prompts;
            }
            for (var i = 0; i < list.Children.Count; i++)
            {
                Visit();
                if (ReadPrompt(list.Children[i], $"prompts[{i}]") is { } prompt)
                    prompts.Add(prompt);
            }
            return prompts;
        }

        private Prompt? ReadPrompt(SuiteNode node, string field)
        {
            switch (node)
            {
                case SuiteScalar s:
                    var text = s.Value;
                    if (text.StartsWith("file://", StringComparison.Ordinal))
                    {
                        Error(node, field, "prompts from files are not supported; put the prompt inline");
                        return null;
                    }
                    // promptfoo accepts a chat prompt written as a JSON array of messages.
                    if (text.TrimStart().StartsWith('[') && TryJsonMessages(text) is { } chat)
                        return new Prompt(node, field, chat);
                    return new Prompt(node, field, [new PromptMessage("user", text)]);
                case SuiteSequence messages:
                    return ReadMessages(messages, field) is { } read ? new Prompt(node, field, read) : null;
                case SuiteMapping m:
                    SuiteNode? raw = null;
                    foreach (var (k, v) in m.Children)
                    {
                        if (Key(k) == "raw")
                            raw = v;
                        else if (Key(k) is not ("label" or "id"))
                            Error(k, $"{field}.{Key(k)}", "unknown key (a prompt object has raw and label)");
                    }
                    if (raw is not null)
                        return ReadPrompt(raw, $"{field}.raw");
                    Error(node, field, "a prompt object needs raw (prompt files given by id are not supported)");
                    return null;
                default:
                    Error(node, field, "must be a prompt text or a list of {role, content} messages");
                    return null;
            }
        }

        private List<PromptMessage>? ReadMessages(SuiteSequence list, string field)
        {
            List<PromptMessage> messages = [];
            var ok = true;
            for (var i = 0; i < list.Children.Count; i++)
            {
                Visit();
                var at = $"{field}[{i}]";
                if (list.Children[i] is not SuiteMapping m)
                {
                    Error(list.Children[i], at, "a chat message must be a mapping with role and content");
                    ok = false;
                    continue;
                }
                string? role = null, content = null;
                foreach (var (k, v) in m.Children)
                {
                    Visit();
                    switch (Key(k))
                    {
                        case "role": role = Scalar(v, $"{at}.role"); break;
                        case "content": content = Scalar(v, $"{at}.content"); break;
                        default: Error(k, $"{at}.{Key(k)}", "unknown key (a chat message has role and content)"); break;
                    }
                }
                if (role is not ("system" or "user" or "assistant"))
                {
                    Error(m, $"{at}.role", role is null ? "is missing" : $"'{role}' is not a role (system, user or assistant)");
                    ok = false;
                }
                if (content is null)
                {
                    Error(m, $"{at}.content", "is missing");
                    ok = false;
                }
                if (role is not null && content is not null)
                    messages.Add(new PromptMessage(role, content));
            }
            if (messages.Count == 0 && ok)
            {
                Error(list, field, "a chat prompt needs at least one message");
                ok = false;
            }
            return ok ? messages : null;
        }

        private static List<PromptMessage>? TryJsonMessages(string text)
        {
            try
            {
                if (JsonNode.Parse(text) is not JsonArray array || array.Count == 0)
                    return null;
                List<PromptMessage> messages = [];
                foreach (var item in array)
                {
                    if (item is not JsonObject o || o["role"]?.GetValueKind() != JsonValueKind.String || o["content"]?.GetValueKind() != JsonValueKind.String)
                        return null;
                    var role = o["role"]!.GetValue<string>();
                    if (role is not ("system" or "user" or "assistant"))
                        return null;
                    messages.Add(new PromptMessage(role, o["content"]!.GetValue<string>()));
                }
                return messages;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private Test? ReadTest(SuiteMapping map, string field, int index, Test? defaults)
        {
            string? description = null;
            var vars = defaults is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(defaults.Vars, StringComparer.Ordinal);
            List<(SuiteMapping, string)> asserts = defaults is null ? [] : [.. defaults.Asserts];
            var caseOptions = defaults?.Options ?? CaseOptions.None;
            var critical = defaults?.Critical ?? false;
            var errorsBefore = Errors.Count;

            foreach (var (keyNode, value) in map.Children)
            {
                Visit();
                var key = Key(keyNode);
                var at = $"{field}.{key}";
                switch (key)
                {
                    case "description":
                        description = Scalar(value, at);
                        break;
                    case "vars":
                        ReadVars(value, at, vars);
                        break;
                    case "assert":
                        if (value is SuiteSequence list)
                        {
                            for (var i = 0; i < list.Children.Count; i++)
                            {
                                Visit();
                                if (list.Children[i] is SuiteMapping a)
                                    asserts.Add((a, $"{at}[{i}]"));
                                else
                                    Error(list.Children[i], $"{at}[{i}]", "an assertion must be a mapping with type and value");
                            }
                        }
                        else
                            Error(value, at, "must be a list of assertions");
                        break;
                    case "options":
                        caseOptions = ReadOptions(value, at, caseOptions);
                        break;
                    case "critical":
                        var flag = Scalar(value, at);
                        if (flag is not null && bool.TryParse(flag, out var c))
                            critical = c;
                        else
                            Error(value, at, "must be true or false");
                        break;
                    case "metadata":
                        break;
                    default:
                        Error(keyNode, at, "unknown key (a test has description, vars, assert, options, critical, metadata)");
                        break;
                }
            }
            return Errors.Count > errorsBefore ? null : new Test(index, map, description, vars, asserts, caseOptions, critical);
        }

        private void ReadVars(SuiteNode node, string field, Dictionary<string, string> vars)
        {
            if (node is not SuiteMapping map)
            {
                Error(node, field, node is SuiteScalar ? "loading vars from a file is not supported; list them inline" : "must be a mapping of names to values");
                return;
            }
            foreach (var (keyNode, value) in map.Children)
            {
                Visit();
                var name = Key(keyNode);
                var at = $"{field}.{name}";
                switch (value)
                {
                    case SuiteScalar s when s.Value.StartsWith("file://", StringComparison.Ordinal):
                        Error(value, at, "values from files are not supported; put the value inline");
                        break;
                    case SuiteScalar s:
                        vars[name] = s.Value;
                        break;
                    case SuiteSequence:
                        Error(value, at, "a list of values (which promptfoo expands into several tests) is not supported; write one test per value");
                        break;
                    default:
                        // A structured value is given to the prompt as JSON text.
                        vars[name] = ToJson(value)?.ToJsonString() ?? "null";
                        break;
                }
            }
        }

        private CaseOptions ReadOptions(SuiteNode node, string field, CaseOptions inherited)
        {
            if (node is not SuiteMapping map)
            {
                Error(node, field, "must be a mapping (temperature, max_tokens)");
                return inherited;
            }
            var result = inherited;
            foreach (var (keyNode, value) in map.Children)
            {
                Visit();
                var key = Key(keyNode);
                var at = $"{field}.{key}";
                switch (key)
                {
                    case "temperature":
                        if (double.TryParse(Scalar(value, at), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 2)
                            result = result with { Temperature = (float)t };
                        else
                            Error(value, at, "must be a number from 0 to 2");
                        break;
                    case "max_tokens" or "maxTokens":
                        if (int.TryParse(Scalar(value, at), NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 1_000_000)
                            result = result with { MaxTokens = m };
                        else
                            Error(value, at, "must be a whole number from 1 to 1000000");
                        break;
                    case "provider":
                        // promptfoo's grading provider; Monitor's judge comes from Regression:Judge.
                        break;
                    default:
                        Error(keyNode, at, "unknown option (supported: temperature, max_tokens, maxTokens)");
                        break;
                }
            }
            return result;
        }

        private SuiteCase? BuildCase(Test test, Prompt prompt, int promptIndex, int promptCount)
        {
            var id = promptCount == 1 ? $"t{test.Index + 1}" : $"t{test.Index + 1}.p{promptIndex + 1}";
            var field = $"tests[{test.Index}]";
            var before = Errors.Count;
            var messages = prompt.Messages
                .Select(m => m with { Content = Render(m.Content, test.Vars, prompt.Node, prompt.Field, field) })
                .ToList();
            List<AssertionSpec> assertions = [];
            foreach (var (node, at) in test.Asserts)
                if (ReadAssertion(node, at, test.Vars) is { } spec)
                    assertions.Add(spec);
            if (Errors.Count > before)
                return null;
            return new SuiteCase(id, Line(test.Node.Start), test.Description, messages, assertions, test.Options, test.Critical);
        }

        // Renders {{ name }} placeholders. Unknown names are errors: an empty value would hide a typo.
        private string Render(string template, Dictionary<string, string> vars, SuiteNode node, string field, string forTest)
        {
            if (!template.Contains("{{", StringComparison.Ordinal))
                return template;
            var sb = new StringBuilder(template.Length + 32);
            var pos = 0;
            while (pos < template.Length)
            {
                var open = template.IndexOf("{{", pos, StringComparison.Ordinal);
                if (open < 0)
                    break;
                var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    Error(node, field, "has '{{' without a closing '}}'");
                    return template;
                }
                sb.Append(template, pos, open - pos);
                var name = template[(open + 2)..close].Trim();
                if (!IsIdentifier(name))
                    Error(node, field, $"'{{{{{name}}}}}' is not a plain variable (filters and expressions are not supported)");
                else if (vars.TryGetValue(name, out var value))
                    sb.Append(value);
                else
                    Error(node, field, $"uses {{{{{name}}}}} but {forTest} has no var '{name}'");
                pos = close + 2;
            }
            sb.Append(template, pos, template.Length - pos);
            return sb.ToString();
        }

        private static bool IsIdentifier(string name) =>
            name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-');

        private AssertionSpec? ReadAssertion(SuiteMapping map, string field, Dictionary<string, string> vars)
        {
            SuiteNode? typeNode = null, valueNode = null, thresholdNode = null;
            foreach (var (keyNode, value) in map.Children)
            {
                Visit();
                switch (Key(keyNode))
                {
                    case "type": typeNode = value; break;
                    case "value": valueNode = value; break;
                    case "threshold": thresholdNode = value; break;
                    case "weight" or "metric" or "provider":
                        break;
                    default:
                        Error(keyNode, $"{field}.{Key(keyNode)}", "unknown key (an assertion has type, value, threshold; weight and metric are ignored)");
                        break;
                }
            }
            if (typeNode is null)
            {
                Error(map, $"{field}.type", "is missing");
                return null;
            }
            var type = Scalar(typeNode, $"{field}.type") ?? "";
            var negate = type.StartsWith("not-", StringComparison.Ordinal);
            if (!Kinds.TryGetValue(negate ? type[4..] : type, out var kind))
            {
                Error(typeNode, $"{field}.type", $"unsupported assertion type '{type}' (supported: {string.Join(", ", Kinds.Keys)}, and not- before any but latency and cost)");
                return null;
            }
            if (negate && kind is AssertionKind.Latency or AssertionKind.Cost)
            {
                Error(typeNode, $"{field}.type", $"'{type}' is not supported: use {type[4..]} with a threshold");
                return null;
            }

            var spec = new AssertionSpec(type, kind, negate, Line(map.Start));
            var vf = $"{field}.value";
            double? threshold = null;
            if (thresholdNode is not null)
            {
                if (double.TryParse(Scalar(thresholdNode, $"{field}.threshold"), NumberStyles.Float, CultureInfo.InvariantCulture, out var th) && th >= 0 && double.IsFinite(th))
                    threshold = th;
                else
                {
                    Error(thresholdNode, $"{field}.threshold", "must be a non-negative number");
                    return null;
                }
            }

            switch (kind)
            {
                case AssertionKind.Equals:
                    if (valueNode is SuiteScalar)
                        return spec with { Text = RenderScalar(valueNode, vf, vars) };
                    if (valueNode is null)
                        return Missing(map, vf);
                    return spec with { Json = ToJson(valueNode) };

                case AssertionKind.Contains or AssertionKind.IContains or AssertionKind.StartsWith:
                    return valueNode is SuiteScalar ? spec with { Text = RenderScalar(valueNode, vf, vars) } : Missing(map, vf, "a text");

                case AssertionKind.ContainsAny or AssertionKind.IContainsAny or AssertionKind.ContainsAll or AssertionKind.IContainsAll:
                    return ReadTexts(valueNode, map, vf, vars, splitCommas: true) is { } texts ? spec with { Texts = texts } : null;

                case AssertionKind.Regex:
                    if (valueNode is not SuiteScalar)
                        return Missing(map, vf, "a regular expression");
                    var pattern = RenderScalar(valueNode, vf, vars);
                    try
                    {
                        return spec with { Text = pattern, Pattern = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(options.RegexTimeoutMs)) };
                    }
                    catch (ArgumentException ex)
                    {
                        Error(valueNode, vf, $"is not a valid regular expression: {ex.Message}");
                        return null;
                    }

                case AssertionKind.IsJson or AssertionKind.ContainsJson or AssertionKind.JsonSchema:
                    if (valueNode is null)
                        return kind == AssertionKind.JsonSchema ? Missing(map, vf, "a JSON schema") : spec;
                    var schemaNode = valueNode is SuiteScalar text ? ParseJsonText(text, vf) : ToJson(valueNode);
                    if (schemaNode is null)
                        return null;
                    List<string> problems = [];
                    var schema = JsonSchemaSubset.Compile(schemaNode, problems);
                    foreach (var problem in problems)
                        Error(valueNode, vf, problem);
                    return problems.Count == 0 ? spec with { Schema = schema, Json = schemaNode } : null;

                case AssertionKind.Similar:
                    if (threshold > 1)
                    {
                        Error(thresholdNode!, $"{field}.threshold", "must be from 0 to 1");
                        return null;
                    }
                    return ReadTexts(valueNode, map, vf, vars, splitCommas: false) is { } refs
                        ? spec with { Texts = refs, Threshold = threshold ?? options.SimilarityThreshold }
                        : null;

                case AssertionKind.Latency or AssertionKind.Cost:
                    if (threshold is null)
                    {
                        Error(map, $"{field}.threshold", kind == AssertionKind.Latency ? "is required: the most milliseconds allowed" : "is required: the most US dollars allowed per call");
                        return null;
                    }
                    return spec with { Threshold = threshold };

                case AssertionKind.LlmRubric:
                    if (threshold > 1)
                    {
                        Error(thresholdNode!, $"{field}.threshold", "must be from 0 to 1");
                        return null;
                    }
                    return valueNode is SuiteScalar ? spec with { Text = RenderScalar(valueNode, vf, vars), Threshold = threshold } : Missing(map, vf, "the rubric text");

                default:
                    throw new InvalidOperationException($"assertion kind {kind} has no reader");
            }
        }

        private AssertionSpec? Missing(SuiteNode node, string field, string? what = null)
        {
            Error(node, field, what is null ? "is missing" : $"must be {what}");
            return null;
        }

        private List<string>? ReadTexts(SuiteNode? node, SuiteNode owner, string field, Dictionary<string, string> vars, bool splitCommas)
        {
            switch (node)
            {
                case SuiteScalar s:
                    var text = RenderScalar(s, field, vars);
                    // promptfoo reads a comma-separated string as the list for contains-any/all.
                    return splitCommas ? text.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).ToList() : [text];
                case SuiteSequence list when list.Children.Count > 0 && list.Children.All(c => c is SuiteScalar):
                    return list.Children.Select((c, i) => RenderScalar(c, $"{field}[{i}]", vars)).ToList();
                default:
                    Error(node ?? owner, field, "must be a text or a non-empty list of texts");
                    return null;
            }
        }

        private string RenderScalar(SuiteNode node, string field, Dictionary<string, string> vars) =>
            Render(((SuiteScalar)node).Value, vars, node, field, "this test");

        private JsonNode? ParseJsonText(SuiteScalar node, string field)
        {
            try
            {
                return JsonNode.Parse(node.Value);
            }
            catch (JsonException ex)
            {
                Error(node, field, $"is not valid JSON: {ex.Message}");
                return null;
            }
        }

        private string? Scalar(SuiteNode node, string field)
        {
            if (node is SuiteScalar s)
                return s.Value;
            Error(node, field, "must be a single value");
            return null;
        }

        private static string Key(SuiteNode node) => node is SuiteScalar s ? s.Value : "(complex key)";

        // YAML to JSON with YAML's plain-scalar typing (true, 12, 1.5, null); quoted scalars stay strings.
        private JsonNode? ToJson(SuiteNode node)
        {
            Visit();
            switch (node)
            {
                case SuiteMapping m:
                    var obj = new JsonObject();
                    foreach (var (k, v) in m.Children)
                        obj[Key(k)] = ToJson(v);
                    return obj;
                case SuiteSequence s:
                    var array = new JsonArray();
                    foreach (var item in s.Children)
                        array.Add(ToJson(item));
                    return array;
                case SuiteScalar { Style: ScalarStyle.Plain } p:
                    var value = p.Value;
                    if (value is "" or "null" or "~" or "Null" or "NULL")
                        return null;
                    if (value is "true" or "True" or "TRUE")
                        return JsonValue.Create(true);
                    if (value is "false" or "False" or "FALSE")
                        return JsonValue.Create(false);
                    if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
                        return JsonValue.Create(l);
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                        return JsonValue.Create(d);
                    return JsonValue.Create(value);
                case SuiteScalar q:
                    return JsonValue.Create(q.Value);
                default:
                    return null;
            }
        }
    }
}
