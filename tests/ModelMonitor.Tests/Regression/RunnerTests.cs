using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Regression;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Regression;

public sealed class RunnerTests
{
    private const string TwoCases = """
        prompts: ['{{q}}']
        tests:
          - vars: { q: 'hello there' }
            assert: [ { type: contains, value: 'HELLO' } ]
          - vars: { q: 'second question' }
            assert: [ { type: icontains, value: 'second' } ]
        """;

    private static string Cases(int n) =>
        "prompts: ['{{q}}']\ntests:\n" + string.Concat(Enumerable.Range(1, n).Select(i => $"  - vars: {{ q: 'case {i}' }}\n    assert: [ {{ type: contains, value: 'CASE {i}' }} ]\n"));

    [Fact]
    public async Task EveryCaseRunsOnBothModelsWithTokensCostAndAssertions()
    {
        await using var h = await RegressionHarness.StartAsync();
        h.Server.Script = r => r.Model == "new" && r.User == "second question" ? new FakeReply.Answer("no idea", 1000, 500) : new FakeReply.Answer("ANSWER: " + r.User.ToUpperInvariant(), 1000, 500);

        var outcome = await h.RunAsync(TwoCases);

        Assert.Equal(RunStop.Completed, outcome.Stop);
        Assert.Equal(4, outcome.Results.Count);
        Assert.Equal(4, h.Server.Requests.Count);
        var regressed = outcome.Results.Single(r => r.CaseId == "t2" && r.Side == ModelSide.Candidate);
        Assert.Equal(CaseStatus.Failed, regressed.Status);
        Assert.Equal("no idea", regressed.Output);
        Assert.False(Assert.Single(regressed.Assertions).Pass);
        var baseline = outcome.Results.Single(r => r.CaseId == "t1" && r.Side == ModelSide.Baseline);
        Assert.Equal(CaseStatus.Passed, baseline.Status);
        Assert.Equal((1000, 500), (baseline.InputTokens, baseline.OutputTokens));
        // old: 1000 × $2 + 500 × $8 per million = $0.006; new: 1000 × $1 + 500 × $4 = $0.003.
        Assert.Equal(0.006m, baseline.CostUsd);
        Assert.Equal(0.003m, regressed.CostUsd);
        Assert.Equal(0.018m, outcome.SpentUsd);
    }

    [Fact]
    public async Task RequestsUseTemperatureZeroAndTheSeedUnlessTheCaseSetsOptions()
    {
        await using var h = await RegressionHarness.StartAsync();

        await h.RunAsync("""
            prompts: ['{{q}}']
            tests:
              - vars: { q: plain }
              - vars: { q: warm }
                options: { temperature: 0.7, max_tokens: 33 }
            """);

        var plain = h.Server.Requests.First(r => r.User == "plain");
        Assert.Equal(0, plain.Temperature);
        Assert.Equal(42, plain.Seed);
        Assert.Equal($"Bearer {RegressionHarness.ApiKey}", plain.Authorization);
        var warm = h.Server.Requests.First(r => r.User == "warm");
        Assert.Equal(0.7, warm.Temperature!.Value, 3);
        Assert.Equal(33, warm.MaxTokens);
    }

    [Fact]
    public async Task AnthropicEndpointsSpeakTheMessagesApi()
    {
        await using var h = await RegressionHarness.StartAsync();

        var outcome = await h.RunAsync("""
            prompts:
              - - { role: system, content: 'Be brief.' }
                - { role: user, content: '{{q}}' }
            tests:
              - vars: { q: 'hi claude' }
                assert: [ { type: starts-with, value: 'ANSWER: HI CLAUDE' } ]
            """, baseline: "claude:claude-3-5-haiku-20241022", candidate: "claude:claude-haiku-4-5");

        Assert.All(outcome.Results, r => Assert.Equal(CaseStatus.Passed, r.Status));
        var request = h.Server.Requests.First();
        Assert.Equal(FakeApi.Anthropic, request.Api);
        Assert.Equal("Be brief.", request.System);
        Assert.True(request.Headers.Values.Contains(RegressionHarness.ApiKey) || request.Headers.Values.Contains("Bearer " + RegressionHarness.ApiKey),
            "the key is sent: " + string.Join(", ", request.Headers.Keys));
        // Regression:DefaultMaxTokens, which Anthropic requires. (Anthropic SDK 13.14's Messages request has no
        // temperature and no seed, so none is sent there.)
        Assert.Equal(1024, request.MaxTokens);
    }

    [Fact]
    public async Task ServerErrorsAreRetriedUntilAnAnswerComes()
    {
        await using var h = await RegressionHarness.StartAsync();
        h.Server.Script = r => r.Attempt switch
        {
            1 => new FakeReply.Status(500),
            2 => new FakeReply.Malformed("""{"id": "chatcmpl-1", "choices": [ {"index": 0, "mess"""),
            3 => new FakeReply.Truncated(),
            _ => FakeReply.Echo(r),
        };

        var outcome = await h.RunAsync(TwoCases);

        Assert.All(outcome.Results, r => Assert.Equal((CaseStatus.Passed, 4), (r.Status, r.Attempts)));
        Assert.Equal(16, h.Server.Requests.Count);
    }

    [Fact]
    public async Task ACallThatKeepsFailingIsAnErrorAfterTheAttemptLimitNotAFailedAssertion()
    {
        await using var h = await RegressionHarness.StartAsync(new() { ["Regression:Retry:MaxAttempts"] = "3" });
        h.Server.Script = r => r.Model == "new" ? new FakeReply.Status(503) : FakeReply.Echo(r);

        var outcome = await h.RunAsync(TwoCases);

        var failed = outcome.Results.Where(r => r.Side == ModelSide.Candidate).ToList();
        Assert.All(failed, r =>
        {
            Assert.Equal(CaseStatus.Error, r.Status);
            Assert.Empty(r.Assertions);
            Assert.Equal(3, r.Attempts);
            Assert.StartsWith("gave up after 3 attempt(s): HTTP 503", r.Error, StringComparison.Ordinal);
        });
        // Exactly our attempts: neither the SDK nor the host's resilience handler retried underneath.
        Assert.Equal(3, h.Server.Requests.Count(r => r.Model == "new" && r.User == "hello there"));
    }

    [Fact]
    public async Task ClientErrorsAreNotRetriedAndTheKeyNeverReachesTheResult()
    {
        await using var h = await RegressionHarness.StartAsync();
        h.Server.Script = r => new FakeReply.Status(401, Body: $$$"""{"error":{"message":"Incorrect API key provided: {{{RegressionHarness.ApiKey}}}","type":"invalid_request_error"}}""");

        var outcome = await h.RunAsync(TwoCases);

        Assert.All(outcome.Results, r =>
        {
            Assert.Equal(1, r.Attempts);
            Assert.Contains("HTTP 401", r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(RegressionHarness.ApiKey, r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("0123456789", r.Error, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("date", 30)]
    public async Task TooManyRequestsWaitsForRetryAfter(string header, int seconds)
    {
        var clock = new ObservableClock();
        await using var h = await RegressionHarness.StartAsync(time: clock);
        var retryAfter = header == "date" ? clock.GetUtcNow().AddSeconds(seconds).ToString("R") : header;
        h.Server.Script = r => r.Model == "old" && r.Attempt == 1 ? new FakeReply.Status(429, retryAfter) : FakeReply.Echo(r);

        var run = h.RunAsync("prompts: ['x']\ntests:\n  - vars: {}\n");
        var due = await clock.NextTimerAsync(d => d < TimeSpan.FromSeconds(59));
        Assert.False(run.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(seconds), due);
        clock.Advance(due);
        var outcome = await run;

        var retried = outcome.Results.Single(r => r.Side == ModelSide.Baseline);
        Assert.Equal((CaseStatus.Passed, 2), (retried.Status, retried.Attempts));
    }

    [Fact]
    public async Task ARetryAfterBeyondTheLimitGivesUpInsteadOfStalling()
    {
        await using var h = await RegressionHarness.StartAsync(new() { ["Regression:Retry:MaxRetryAfterSeconds"] = "60" });
        h.Server.Script = _ => new FakeReply.Status(429, "3600");

        var outcome = await h.RunAsync("prompts: ['x']\ntests:\n  - vars: {}\n");

        Assert.All(outcome.Results, r => Assert.Contains("retry after 3600 s", r.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAttemptWithoutAnswerTimesOutAndIsRetried()
    {
        var clock = new ObservableClock();
        await using var h = await RegressionHarness.StartAsync(new() { ["Endpoints:fake:TimeoutSeconds"] = "20" }, clock);
        h.Server.Script = r => r.Model == "old" && r.Attempt == 1 ? new FakeReply.Hang() : FakeReply.Echo(r);

        var run = h.RunAsync("prompts: ['x']\ntests:\n  - vars: {}\n");
        await clock.NextTimerAsync(d => d == TimeSpan.FromSeconds(20));
        // The request must have reached the server before the clock moves, or the timeout fires too early to test anything.
        while (!h.Server.Requests.Any(r => r.Model == "old"))
            await Task.Yield();
        var backoffTimer = clock.NextTimerAsync(d => d < TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(20));
        // The backoff may already have been fired by the same Advance; otherwise move the clock past it.
        if (await Task.WhenAny(run, backoffTimer) == backoffTimer && !run.IsCompleted)
            clock.Advance(await backoffTimer);
        var outcome = await run;

        var timedOut = outcome.Results.Single(r => r.Side == ModelSide.Baseline);
        Assert.Equal((CaseStatus.Passed, 2), (timedOut.Status, timedOut.Attempts));
    }

    [Fact]
    public async Task EachEndpointsMaxConcurrencyBoundsRequestsInFlight()
    {
        await using var h = await RegressionHarness.StartAsync(new() { ["Endpoints:fake:MaxConcurrency"] = "3" });
        h.Server.Script = r => new FakeReply.Answer("ok", Delay: TimeSpan.FromMilliseconds(20));

        await h.Runner.RunAsync(new RunRequest(h.Suite(Cases(12)), RegressionHarness.Model("fake:old"), RegressionHarness.Model("fake:new")) { Concurrency = 16 }, default);

        Assert.Equal(3, h.Server.MaxInFlight);
    }

    [Fact]
    public async Task RequestsPerMinutePacesCallsToTheEndpoint()
    {
        var clock = new ObservableClock();
        await using var h = await RegressionHarness.StartAsync(new() { ["Endpoints:fake:RequestsPerMinute"] = "30" }, clock);

        var run = h.RunAsync("prompts: ['x']\ntests:\n  - vars: {}\n");
        // 30 a minute: the second call may start two seconds after the first, not before.
        var pause = await clock.NextTimerAsync(d => d < TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromSeconds(2), pause);
        Assert.False(run.IsCompleted);
        clock.Advance(pause);
        var outcome = await run;

        Assert.Equal(2, outcome.Results.Count);
        Assert.Equal(2, h.Server.Requests.Count);
    }

    [Fact]
    public async Task ARunEstimatedOverBudgetIsRefusedBeforeAnyCall()
    {
        await using var h = await RegressionHarness.StartAsync();

        var refused = await Assert.ThrowsAsync<RunRefusedException>(() => h.Runner.RunAsync(
            new RunRequest(h.Suite(Cases(100)), RegressionHarness.Model("fake:old"), RegressionHarness.Model("fake:new")) { BudgetUsd = 0.01m }, default));

        Assert.Contains("over the budget", refused.Message, StringComparison.Ordinal);
        Assert.Empty(h.Server.Requests);
    }

    [Fact]
    public async Task SpendingTheBudgetStopsSchedulingNewCases()
    {
        await using var h = await RegressionHarness.StartAsync();
        // The estimate (256 output tokens per call) fits; the answers are far longer than estimated.
        h.Server.Script = r => new FakeReply.Answer("ok", 10, 100_000);

        var outcome = await h.Runner.RunAsync(
            new RunRequest(h.Suite(Cases(50)), RegressionHarness.Model("fake:old"), RegressionHarness.Model("fake:new")) { BudgetUsd = 0.6m, Concurrency = 1 }, default);

        // Each old call costs $0.80, each new call $0.40: the first call already spends the budget.
        Assert.Equal(RunStop.BudgetExhausted, outcome.Stop);
        Assert.Single(outcome.Results);
        Assert.Equal(99, outcome.NotRun);
    }

    [Fact]
    public async Task CancellationKeepsWhatFinishedAndAResumeRunsOnlyTheRest()
    {
        await using var h = await RegressionHarness.StartAsync();
        var suite = h.Suite(Cases(10));
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        h.Server.Script = r => Interlocked.Increment(ref seen) > 6 ? new FakeReply.Hang() : FakeReply.Echo(r);
        var persisted = new ConcurrentQueue<CaseResult>();
        var request = new RunRequest(suite, RegressionHarness.Model("fake:old"), RegressionHarness.Model("fake:new"))
        {
            Concurrency = 2,
            OnResult = (result, _) =>
            {
                persisted.Enqueue(result);
                if (persisted.Count == 6)
                    cancel.Cancel();
                return ValueTask.CompletedTask;
            },
        };

        var first = await h.Runner.RunAsync(request, cancel.Token);

        Assert.Equal(RunStop.Cancelled, first.Stop);
        Assert.Equal(6, first.Results.Count);
        Assert.Equal(first.Results.Select(r => r.Key), persisted.Select(r => r.Key));

        h.Server.Script = FakeReply.Echo;
        var before = h.Server.Requests.Count;
        var second = await h.Runner.RunAsync(request with { Finished = first.Results, OnResult = null }, default);

        Assert.Equal(RunStop.Completed, second.Stop);
        Assert.Equal(20, second.Results.Count);
        Assert.Equal(20, second.Results.Select(r => r.Key).Distinct().Count());
        Assert.Equal(14, h.Server.Requests.Count - before);
    }

    [Fact]
    public async Task LlmRubricIsGradedByTheJudgeModel()
    {
        await using var h = await RegressionHarness.StartAsync(new() { ["Regression:Judge"] = "fake:judge" });
        h.Server.Script = r => r.Model switch
        {
            "judge" => new FakeReply.Answer(r.User.Contains("ANSWER: POLITE", StringComparison.Ordinal)
                ? """{"pass": true, "score": 0.9, "reason": "polite"}"""
                : "Hmm, hard to say."),
            "old" => new FakeReply.Answer("ANSWER: POLITE"),
            _ => new FakeReply.Answer("ANSWER: RUDE"),
        };

        var outcome = await h.RunAsync("""
            prompts: ['x']
            tests:
              - assert: [ { type: llm-rubric, value: 'The answer is polite.' } ]
            """);

        var baseline = outcome.Results.Single(r => r.Side == ModelSide.Baseline);
        Assert.Equal(CaseStatus.Passed, baseline.Status);
        Assert.Equal(0.9, baseline.Assertions[0].Score);
        var candidate = outcome.Results.Single(r => r.Side == ModelSide.Candidate);
        Assert.Equal(CaseStatus.Error, candidate.Status);
        Assert.True(candidate.Assertions[0].Error);
        var judged = h.Server.Requests.First(r => r.Model == "judge");
        Assert.Contains("The answer is polite.", judged.User, StringComparison.Ordinal);
        Assert.Equal(Judge.Instructions, judged.System);
    }

    [Fact]
    public async Task ASuiteNeedingAJudgeIsRefusedWhenNoneIsConfigured()
    {
        await using var h = await RegressionHarness.StartAsync();

        var refused = await Assert.ThrowsAsync<RunRefusedException>(() =>
            h.RunAsync("prompts: ['x']\ntests:\n  - assert: [ { type: llm-rubric, value: fine } ]\n"));

        Assert.Contains("Regression:Judge", refused.Message, StringComparison.Ordinal);
        Assert.Empty(h.Server.Requests);
    }

    [Fact]
    public async Task AnUnknownEndpointIsRefusedNamingTheConfiguredOnes()
    {
        await using var h = await RegressionHarness.StartAsync();

        var refused = await Assert.ThrowsAsync<RunRefusedException>(() => h.RunAsync(TwoCases, candidate: "azure:gpt-4o"));

        Assert.Contains("endpoint 'azure' is not configured (configured: claude, fake)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgressCountsEveryResult()
    {
        await using var h = await RegressionHarness.StartAsync();
        var reports = new ConcurrentQueue<RunProgress>();

        await h.Runner.RunAsync(new RunRequest(h.Suite(TwoCases), RegressionHarness.Model("fake:old"), RegressionHarness.Model("fake:new"))
        {
            Progress = new SyncProgress(reports.Enqueue),
        }, default);

        Assert.Equal([1, 2, 3, 4], reports.Select(p => p.Done));
        Assert.All(reports, p => Assert.Equal(4, p.Total));
    }

    private sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }

    [Fact]
    public void ModelReferencesSplitAtTheFirstColon()
    {
        Assert.True(ModelReference.TryParse("ollama:llama3:8b", out var model));
        Assert.Equal(new ModelReference("ollama", "llama3:8b"), model);
        Assert.False(ModelReference.TryParse("gpt-4o", out _));
        Assert.False(ModelReference.TryParse(":gpt-4o", out _));
        Assert.False(ModelReference.TryParse("openai:", out _));
    }

    [Fact]
    public void EndpointValidationNamesEveryBadSetting()
    {
        var problems = EndpointRegistry.Validate("x", new EndpointOptions { Kind = "gemini", BaseUrl = "ftp://h", MaxConcurrency = 0, TimeoutSeconds = 0 });

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Endpoints:x:Kind", StringComparison.Ordinal));
    }
}
