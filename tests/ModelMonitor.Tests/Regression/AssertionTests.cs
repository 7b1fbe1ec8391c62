using Microsoft.Extensions.Options;
using ModelMonitor.Regression;

namespace ModelMonitor.Tests.Regression;

public sealed class AssertionTests
{
    private static AssertionSpec Spec(string assertion)
    {
        var suite = new SuiteLoader(Options.Create(new RegressionOptions { RegexTimeoutMs = 50 })).Parse($"""
            prompts: ['x']
            tests:
              - vars: {"{"} name: Ada {"}"}
                assert:
                  - {assertion}
            """, "a.yaml");
        return suite.Cases.Single().Assertions.Single();
    }

    private static AssertionResult Check(string assertion, string output, double latencyMs = 100, decimal? cost = 0.001m) =>
        AssertionEvaluator.Evaluate(Spec(assertion), new AssertionInput(output, latencyMs, cost));

    [Theory]
    [InlineData("{ type: equals, value: 'Hello Ada' }", "Hello Ada", true)]
    [InlineData("{ type: equals, value: 'Hello Ada' }", "Hello Ada.", false)]
    [InlineData("{ type: equals, value: { a: 1, b: [true] } }", " {\"b\":[true],\"a\":1} ", true)]
    [InlineData("{ type: not-equals, value: 'x' }", "y", true)]
    [InlineData("{ type: contains, value: '{{name}}' }", "by Ada Lovelace", true)]
    [InlineData("{ type: contains, value: 'ada' }", "by Ada Lovelace", false)]
    [InlineData("{ type: icontains, value: 'ADA' }", "by Ada Lovelace", true)]
    [InlineData("{ type: not-contains, value: 'sorry' }", "Sorry, I cannot", true)]
    [InlineData("{ type: not-icontains, value: 'sorry' }", "Sorry, I cannot", false)]
    [InlineData("{ type: contains-any, value: [cat, dog] }", "a dog barked", true)]
    [InlineData("{ type: contains-any, value: 'cat, dog' }", "a bird", false)]
    [InlineData("{ type: icontains-any, value: [CAT] }", "Cats", true)]
    [InlineData("{ type: contains-all, value: [red, blue] }", "red and blue", true)]
    [InlineData("{ type: contains-all, value: [red, blue] }", "red only", false)]
    [InlineData("{ type: icontains-all, value: [RED, BLUE] }", "red and blue", true)]
    [InlineData("{ type: not-contains-any, value: [error, fail] }", "all good", true)]
    [InlineData("{ type: starts-with, value: 'ANSWER:' }", "ANSWER: 4", true)]
    [InlineData("{ type: starts-with, value: 'ANSWER:' }", " ANSWER: 4", false)]
    [InlineData("{ type: regex, value: '^\\d{3}-\\d{4}$' }", "555-1234", true)]
    [InlineData("{ type: not-regex, value: '\\d' }", "no digits", true)]
    [InlineData("{ type: is-json }", "{\"ok\": true}", true)]
    [InlineData("{ type: is-json }", "```json\n{\"ok\": true}\n```", false)]
    [InlineData("{ type: not-is-json }", "plain words", true)]
    [InlineData("{ type: contains-json }", "Here you go: {\"ok\": true} — done", true)]
    [InlineData("{ type: contains-json }", "Nothing {here", false)]
    [InlineData("{ type: similar, value: 'The capital of France is Paris.' }", "Paris is the capital of France.", true)]
    [InlineData("{ type: similar, value: 'The capital of France is Paris.' }", "Bananas are rich in potassium.", false)]
    [InlineData("{ type: not-similar, value: 'The capital of France is Paris.', threshold: 0.9 }", "Paris is the capital of France.", true)]
    [InlineData("{ type: latency, threshold: 150 }", "x", true)]
    [InlineData("{ type: latency, threshold: 50 }", "x", false)]
    [InlineData("{ type: cost, threshold: 0.002 }", "x", true)]
    [InlineData("{ type: cost, threshold: 0.0005 }", "x", false)]
    public void AssertionDecidesAsPromptfooWould(string assertion, string output, bool pass) =>
        Assert.Equal(pass, Check(assertion, output).Pass);

    [Theory]
    [InlineData("{\"name\": \"Ada\", \"age\": 36, \"tags\": [\"math\"]}", true, null)]
    [InlineData("{\"name\": \"Ada\"}", false, "missing required property 'age'")]
    [InlineData("{\"name\": \"Ada\", \"age\": 36.5}", false, "$.age: expected integer")]
    [InlineData("{\"name\": \"\", \"age\": 36}", false, "$.name: shorter than 1")]
    [InlineData("{\"name\": \"Ada\", \"age\": 300}", false, "$.age: 300 is above the maximum 150")]
    [InlineData("{\"name\": \"Ada\", \"age\": 36, \"tags\": [\"art\"]}", false, "$.tags[0]: \"art\" is not one of")]
    [InlineData("{\"name\": \"Ada\", \"age\": 36, \"extra\": 1}", false, "property 'extra' is not allowed")]
    [InlineData("[1]", false, "expected object, got array")]
    public void JsonSchemaSubsetNamesTheFirstViolation(string output, bool pass, string? reason)
    {
        var result = Check("""
            type: json-schema
                    value:
                      type: object
                      required: [name, age]
                      additionalProperties: false
                      properties:
                        name: { type: string, minLength: 1, maxLength: 20 }
                        age: { type: integer, minimum: 0, maximum: 150 }
                        tags: { type: array, items: { enum: [math, poetry] } }
            """, output);

        Assert.Equal(pass, result.Pass);
        if (reason is not null)
            Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainsJsonValidatesTheEmbeddedJsonAgainstItsSchema()
    {
        var result = Check("{ type: contains-json, value: { type: object, required: [id] } }", "Result:\n```json\n{\"name\": 1}\n```");

        Assert.False(result.Pass);
        Assert.Contains("missing required property 'id'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SimilarReportsTheTrigramCosineAsScore()
    {
        var result = Check("{ type: similar, value: 'abc' }", "abc");

        Assert.Equal(1.0, result.Score!.Value, 6);
    }

    [Fact]
    public void TrigramCosineOfUnrelatedTextsIsLow() =>
        Assert.InRange(TextSimilarity.Cosine("The invoice was paid on time.", "Quantum chromodynamics describes quarks."), 0, 0.3);

    [Fact]
    public void CostWithoutPriceIsAnErrorNotAFailure()
    {
        var result = Check("{ type: cost, threshold: 1 }", "x", cost: null);

        Assert.True(result.Error);
    }

    [Fact]
    public void RegexThatTimesOutIsAnErrorNotAFailure()
    {
        var result = Check("{ type: regex, value: '^(a+)+$' }", new string('a', 40) + "!");

        Assert.True(result.Error);
        Assert.Contains("timed out", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"pass\": true, \"score\": 0.9, \"reason\": \"polite\"}", true, 0.9)]
    [InlineData("Sure! ```json\n{\"pass\": false, \"reason\": \"rude\"}\n```", false, 0.0)]
    public void JudgeRepliesAreReadFromJsonAnywhereInTheText(string reply, bool pass, double score)
    {
        var verdict = Judge.Parse(reply);

        Assert.NotNull(verdict);
        Assert.Equal(pass, verdict.Value.Pass);
        Assert.Equal(score, verdict.Value.Score);
    }

    [Theory]
    [InlineData("I think it passes.")]
    [InlineData("{\"pass\": \"yes\"}")]
    [InlineData("{\"pass\": true, \"score\": 7}")]
    public void UnreadableJudgeRepliesAreNotVerdicts(string reply) =>
        Assert.Null(Judge.Parse(reply));
}
