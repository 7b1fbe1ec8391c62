using Microsoft.Extensions.Options;
using ModelMonitor.Regression;

namespace ModelMonitor.Tests.Regression;

public sealed class SuiteLoaderTests
{
    private static SuiteLoader Loader(Action<RegressionOptions>? configure = null)
    {
        var options = new RegressionOptions();
        configure?.Invoke(options);
        return new SuiteLoader(Options.Create(options));
    }

    private static Suite Parse(string yaml) => Loader().Parse(yaml, "suite.yaml");

    private static SuiteException Broken(string yaml, Action<RegressionOptions>? configure = null) =>
        Assert.Throws<SuiteException>(() => Loader(configure).Parse(yaml, "suite.yaml"));

    [Fact]
    public void DefaultTestIsMergedIntoEveryTestAndVarsAreRendered()
    {
        var suite = Parse("""
            description: support answers
            providers: [openai:gpt-4o]
            prompts:
              - 'Answer {{question}} for {{product}}'
            defaultTest:
              vars: { product: Acme }
              assert:
                - type: icontains
                  value: '{{product}}'
              options: { temperature: 0.3 }
            tests:
              - description: refunds
                vars: { question: refunds }
                assert: [ { type: contains, value: refund } ]
              - vars: { question: login, product: Beta }
                options: { max_tokens: 50 }
                critical: true
            """);

        Assert.Equal("support answers", suite.Description);
        Assert.Equal(2, suite.Cases.Count);
        var first = suite.Cases[0];
        Assert.Equal("t1", first.Id);
        Assert.Equal("refunds", first.Description);
        Assert.Equal("Answer refunds for Acme", Assert.Single(first.Messages).Content);
        Assert.Equal(["icontains", "contains"], first.Assertions.Select(a => a.Type));
        Assert.Equal("Acme", first.Assertions[0].Text);
        Assert.Equal(0.3f, first.Options.Temperature);
        Assert.False(first.Critical);
        var second = suite.Cases[1];
        Assert.Equal("Answer login for Beta", second.Messages[0].Content);
        Assert.Equal("Beta", second.Assertions[0].Text);
        Assert.Equal(50, second.Options.MaxTokens);
        Assert.Equal(0.3f, second.Options.Temperature);
        Assert.True(second.Critical);
        Assert.Equal(64, suite.Sha256.Length);
    }

    [Fact]
    public void ChatPromptsAndSeveralPromptsExpandIntoCasesPerPrompt()
    {
        var suite = Parse("""
            prompts:
              - - { role: system, content: 'You answer tersely.' }
                - { role: user, content: '{{q}}' }
              - '[{"role":"user","content":"Q: {{q}}"}]'
            tests:
              - vars: { q: hello }
            """);

        Assert.Equal(["t1.p1", "t1.p2"], suite.Cases.Select(c => c.Id));
        Assert.Equal([new PromptMessage("system", "You answer tersely."), new PromptMessage("user", "hello")], suite.Cases[0].Messages);
        Assert.Equal([new PromptMessage("user", "Q: hello")], suite.Cases[1].Messages);
    }

    [Fact]
    public void JsonSuitesLoadLikeYaml()
    {
        var suite = Parse("""
            {"prompts": ["Say {{word}}"], "tests": [{"vars": {"word": "hi"}, "assert": [{"type": "equals", "value": "hi"}]}]}
            """);

        Assert.Equal("Say hi", suite.Cases.Single().Messages[0].Content);
        Assert.Equal(AssertionKind.Equals, suite.Cases.Single().Assertions[0].Kind);
    }

    [Fact]
    public void UnsupportedAssertionTypeNamesTheLineAndField()
    {
        var ex = Broken("""
            prompts: ['{{q}}']
            tests:
              - vars: { q: a }
                assert:
                  - type: javascript
                    value: output.length > 3
            """);

        var error = Assert.Single(ex.Errors);
        Assert.Equal(5, error.Line);
        Assert.Equal("tests[0].assert[0].type", error.Field);
        Assert.Contains("unsupported assertion type 'javascript'", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("suite.yaml:5:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemInTheFileIsReportedTogether()
    {
        var ex = Broken("""
            prompts: ['Tell me about {{topic}}']
            tests:
              - vars: { subject: x }
                assert:
                  - type: regex
                    value: '([a-z'
              - vars: { topic: y }
                assert:
                  - type: similar
                    value: hello
                    threshold: 3
                  - type: contains
              - vars: { topic: z }
                options: { temperature: hot }
            """);

        Assert.Equal(
            [
                (1, "prompts[0]"),
                (6, "tests[0].assert[0].value"),
                (11, "tests[1].assert[0].threshold"),
                (12, "tests[1].assert[1].value"),
                (14, "tests[2].options.temperature"),
            ],
            ex.Errors.Select(e => (e.Line, e.Field)).Order());
        Assert.Contains(ex.Errors, e => e.Message.Contains("tests[0] has no var 'topic'", StringComparison.Ordinal));
    }

    [Fact]
    public void MalformedYamlReportsWhereItBroke()
    {
        var ex = Broken("""
            prompts: ['x']
            tests:
              - vars: { q: [unclosed
            """);

        var error = Assert.Single(ex.Errors);
        Assert.Equal("(syntax)", error.Field);
        Assert.InRange(error.Line, 3, 4);
    }

    [Fact]
    public void UnknownKeysAreErrorsButProvidersIsIgnored()
    {
        var ex = Broken("""
            providers: [openai:gpt-4o]
            prompts: ['x']
            tets: []
            tests:
              - vars: {}
                asert: []
            """);

        Assert.Equal(["tets", "tests[0].asert"], ex.Errors.Select(e => e.Field));
    }

    [Fact]
    public void VarListsThatPromptfooWouldExpandAreRefused()
    {
        var ex = Broken("""
            prompts: ['{{q}}']
            tests:
              - vars: { q: [a, b] }
            """);

        Assert.Contains("one test per value", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasBombIsRefusedBeforeItExpands()
    {
        var ex = Broken("""
            a: &a ["x","x","x","x","x","x","x","x","x","x"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
            prompts: ['x']
            tests:
              - vars: { q: *h }
            """, o => o.Suite.MaxAliases = 50);

        Assert.Contains(ex.Errors, e => e.Message.Contains("aliases", StringComparison.Ordinal));
    }

    [Fact]
    public void AliasExpansionIsBoundedEvenUnderTheAliasLimit()
    {
        var ex = Broken("""
            defaultTest:
              metadata: &v { a: [1,2,3,4,5,6,7,8,9,10], b: [1,2,3,4,5,6,7,8,9,10] }
            prompts: ['x']
            tests:
              - vars: { q: 'x', data: { k1: *v, k2: *v, k3: *v, k4: *v, k5: *v, k6: *v, k7: *v, k8: *v, k9: *v, k10: *v, k11: *v, k12: *v } }
            """, o => o.Suite.MaxNodes = 150);

        Assert.Contains(ex.Errors, e => e.Message.Contains("YAML nodes", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAliasIsTheNodeItsAnchorNames()
    {
        var suite = Parse("""
            defaultTest:
              options: &cold { temperature: 0, max_tokens: 20 }
            prompts: ['{{q}}']
            tests:
              - vars: { q: &hello 'hello there' }
                assert: [ { type: contains, value: *hello } ]
              - vars: { q: *hello }
                options: *cold
            """);

        Assert.Equal("hello there", suite.Cases[0].Assertions[0].Text);
        Assert.Equal("hello there", suite.Cases[1].Messages[0].Content);
        Assert.Equal(20, suite.Cases[1].Options.MaxTokens);
    }

    [Theory]
    [InlineData("tests:\n  - vars: { q: *nowhere }", 3, "alias *nowhere names no anchor defined before it")]
    [InlineData("tests:\n  - vars: &v { q: *v }", 3, "alias *v names no anchor defined before it")]
    [InlineData("tests:\n  - vars: { q: a }\n    vars: { q: b }", 4, "duplicate key 'vars' in this mapping")]
    public void UnusableYamlIsReportedWithItsLine(string tail, int line, string message)
    {
        var error = Assert.Single(Broken("prompts: ['{{q}}']\n" + tail).Errors);

        Assert.Equal(("(syntax)", line, message), (error.Field, error.Line, error.Message));
    }

    [Fact]
    public void DeepNestingIsRefusedInsteadOfOverflowingTheStack()
    {
        // A 200 KB file; loading it recursively used to end the process with a stack overflow.
        var depth = 100_000;
        var ex = Broken("prompts: ['x']\ntests:\n  - assert:\n      - type: json-schema\n        value: "
            + new string('[', depth) + new string(']', depth));

        var error = Assert.Single(ex.Errors);
        Assert.Equal((5, $"nests deeper than {SuiteYaml.MaxDepth} levels"), (error.Line, error.Message));
    }

    [Fact]
    public void OversizedFileIsRefusedWithTheLimitNamed()
    {
        var ex = Broken("prompts: ['" + new string('x', 2000) + "']", o => o.Suite.MaxFileBytes = 1000);

        Assert.Contains("Regression:Suite:MaxFileBytes", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaKeywordsOutsideTheSubsetAreRefused()
    {
        var ex = Broken("""
            prompts: ['x']
            tests:
              - assert:
                  - type: is-json
                    value: { type: object, patternProperties: { '^a': { type: string } } }
            """);

        Assert.Contains("'patternProperties' is not supported", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LatencyWithoutThresholdIsAnError()
    {
        var ex = Broken("""
            prompts: ['x']
            tests:
              - assert: [ { type: latency } ]
            """);

        Assert.Equal("tests[0].assert[0].threshold", Assert.Single(ex.Errors).Field);
    }
}
