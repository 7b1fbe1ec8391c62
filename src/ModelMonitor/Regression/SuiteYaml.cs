using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelMonitor.Regression;

/// A node of a suite's YAML: only what the suite reader uses — values, scalar styles, and where each node starts.
internal abstract class SuiteNode(Mark start)
{
    public Mark Start { get; } = start;
}

internal sealed class SuiteScalar(Mark start, string value, ScalarStyle style) : SuiteNode(start)
{
    public string Value { get; } = value;

    public ScalarStyle Style { get; } = style;
}

internal sealed class SuiteSequence(Mark start) : SuiteNode(start)
{
    public List<SuiteNode> Children { get; } = [];
}

internal sealed class SuiteMapping(Mark start) : SuiteNode(start)
{
    public List<KeyValuePair<SuiteNode, SuiteNode>> Children { get; } = [];
}

/// Builds the suite's tree straight from the parser's events, without recursion. YamlDotNet's representation
/// model (a dictionary per mapping, keyed by nodes, and a second pass for aliases) took as long as the parse
/// itself on a suite of thousands of cases, and its recursive loading let a deeply nested file overflow the stack.
internal static class SuiteYaml
{
    /// Deeper than any suite needs (a JSON schema included); a file nested further is refused, not recursed into.
    public const int MaxDepth = 64;

    // A mapping with more keys than this finds duplicates with a set instead of a scan.
    private const int ScannedKeys = 8;

    /// The root of each document in the stream. An alias is the node its anchor names, shared, not copied;
    /// an alias to an anchor not yet complete (a node containing itself) is refused like an unknown anchor.
    public static List<SuiteNode> Load(IParser parser)
    {
        List<SuiteNode> documents = [];
        var anchors = new Dictionary<string, SuiteNode>(StringComparer.Ordinal);
        var open = new Stack<Collection>();
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    anchors.Clear();
                    break;
                case Scalar scalar:
                    var node = new SuiteScalar(scalar.Start, scalar.Value, scalar.Style);
                    Remember(scalar.Anchor, node);
                    Add(node);
                    break;
                case AnchorAlias alias:
                    Add(anchors.TryGetValue(alias.Value.Value, out var named)
                        ? named
                        : throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} names no anchor defined before it"));
                    break;
                case SequenceStart sequence:
                    Open(new SuiteSequence(sequence.Start), sequence);
                    break;
                case MappingStart mapping:
                    Open(new SuiteMapping(mapping.Start), mapping);
                    break;
                case SequenceEnd or MappingEnd:
                    var done = open.Pop();
                    Remember(done.Anchor, done.Node);
                    Add(done.Node);
                    break;
            }
        }
        return documents;

        void Open(SuiteNode node, NodeEvent start)
        {
            if (open.Count == MaxDepth)
                throw new YamlException(start.Start, start.End, $"nests deeper than {MaxDepth} levels");
            open.Push(new Collection(node, start.Anchor));
        }

        void Remember(AnchorName anchor, SuiteNode node)
        {
            if (!anchor.IsEmpty)
                anchors[anchor.Value] = node;
        }

        void Add(SuiteNode node)
        {
            if (!open.TryPeek(out var parent))
                documents.Add(node);
            else if (parent.Node is SuiteSequence sequence)
                sequence.Children.Add(node);
            else if (parent.Key is null)
                parent.Key = node;
            else
                parent.AddEntry(node);
        }
    }

    private sealed class Collection(SuiteNode node, AnchorName anchor)
    {
        private HashSet<string>? _keys;

        public SuiteNode Node { get; } = node;

        public AnchorName Anchor { get; } = anchor;

        public SuiteNode? Key { get; set; }

        public void AddEntry(SuiteNode value)
        {
            var children = ((SuiteMapping)Node).Children;
            if (Key is SuiteScalar key && IsDuplicate(children, key.Value))
                throw new YamlException(key.Start, key.Start, $"duplicate key '{key.Value}' in this mapping");
            children.Add(new(Key!, value));
            Key = null;
        }

        private bool IsDuplicate(List<KeyValuePair<SuiteNode, SuiteNode>> children, string key)
        {
            if (_keys is not null)
                return !_keys.Add(key);
            foreach (var (existing, _) in children)
                if (existing is SuiteScalar scalar && scalar.Value == key)
                    return true;
            if (children.Count == ScannedKeys)
            {
                _keys = new HashSet<string>(StringComparer.Ordinal) { key };
                foreach (var (existing, _) in children)
                    if (existing is SuiteScalar scalar)
                        _keys.Add(scalar.Value);
            }
            return false;
        }
    }
}
