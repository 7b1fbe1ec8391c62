using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ModelMonitor.Regression;

/// Runs every case of a suite on the baseline and the candidate. A fixed pool of `Concurrency` workers
/// takes (case, side) items in order; each endpoint's gate bounds what reaches that endpoint. Results
/// flow through one channel to one consumer, which keeps them, hands them to OnResult and reports progress.
/// Cancellation stops new work and drops calls in flight; everything that finished is in the outcome.
public sealed partial class RegressionRunner(
    EndpointRegistry endpoints,
    ModelCaller caller,
    IModelPrices prices,
    IOptions<RegressionOptions> options,
    TimeProvider time,
    Hosting.MonitorMetrics metrics,
    ILogger<RegressionRunner> logger)
{
    private readonly RegressionOptions _options = options.Value;
    private readonly TimeProvider _time = time;

    private sealed record Side(ModelSide Which, ModelTarget Target, ModelPrice? Price);

    private readonly record struct WorkItem(SuiteCase Case, Side Side);

    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var baseline = new Side(ModelSide.Baseline, ResolveOrRefuse(request.Baseline, "baseline"), prices.Find(request.Baseline));
        var candidate = new Side(ModelSide.Candidate, ResolveOrRefuse(request.Candidate, "candidate"), prices.Find(request.Candidate));
        Judge? judge = null;
        ModelPrice? judgePrice = null;
        if (request.Suite.UsesJudge)
        {
            if (!ModelReference.TryParse(_options.Judge, out var judgeModel))
                throw new RunRefusedException("the suite uses llm-rubric, which needs a judge model: set Regression:Judge to endpoint:model (environment: Regression__Judge).");
            judge = new Judge(ResolveOrRefuse(judgeModel, "judge (Regression:Judge)"), caller, _options.Seed);
            judgePrice = prices.Find(judgeModel);
        }

        var caseIds = request.Suite.Cases.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var finished = new Dictionary<ResultKey, CaseResult>();
        foreach (var result in request.Finished)
            if (caseIds.Contains(result.CaseId))
                finished[result.Key] = result;

        List<WorkItem> work = [];
        foreach (var c in request.Suite.Cases)
            foreach (var side in (ReadOnlySpan<Side>)[baseline, candidate])
                if (!finished.ContainsKey(new ResultKey(c.Id, side.Which)))
                    work.Add(new WorkItem(c, side));

        var spentBefore = finished.Values.Sum(r => r.CostUsd ?? 0);
        var estimate = Estimate(work, judge is null ? null : judgePrice, judge is not null);
        if (request.BudgetUsd is { } budget)
        {
            var unpriced = new[] { baseline, candidate }.Where(s => s.Price is null).Select(s => s.Target.Reference.ToString())
                .Concat(judge is not null && judgePrice is null ? [judge.Model.ToString()] : []).ToList();
            if (unpriced.Count > 0)
                throw new RunRefusedException($"cannot hold the run to a budget: no price for {string.Join(", ", unpriced)} (set Endpoints:<name>:Prices:<model>:InputCostPerMillionTokens and OutputCostPerMillionTokens).");
            if (spentBefore + estimate > budget)
                throw new RunRefusedException($"the estimated cost ${spentBefore + estimate:0.####} (tokens ≈ characters/4, {work.Count} calls left) is over the budget ${budget:0.####}.");
        }

        var run = new Run(this, request, judge, judgePrice, work, finished.Count, spentBefore);
        using var activity = Hosting.MonitorMetrics.Tracing.StartActivity("regression-run");
        var outcome = await run.ExecuteAsync(cancellationToken);
        metrics.RegressionRun(outcome.Stop.ToString().ToLowerInvariant(), outcome.SpentUsd);
        Log.Finished(logger, request.Suite.Path, outcome.Results.Count, outcome.Results.Count(r => r.Status == CaseStatus.Error), outcome.Stop, outcome.Elapsed.TotalSeconds);
        return outcome with { Results = [.. finished.Values, .. outcome.Results], EstimatedUsd = (judge is not null && judgePrice is null) || baseline.Price is null || candidate.Price is null ? null : estimate };
    }

    /// Builds the models' clients and looks up their prices (which may mean a catalog query) ahead of a run,
    /// so that a caller can overlap them with other start-up work; the run finds both cached. A model that cannot
    /// be resolved is left for the run to refuse, with its message.
    public void Prepare(ModelReference baseline, ModelReference candidate)
    {
        foreach (var model in (ReadOnlySpan<ModelReference>)[baseline, candidate])
        {
            try
            {
                endpoints.Resolve(model);
            }
            catch (EndpointConfigurationException)
            {
                continue;
            }
            prices.Find(model);
        }
    }

    private ModelTarget ResolveOrRefuse(ModelReference model, string role)
    {
        try
        {
            return endpoints.Resolve(model);
        }
        catch (EndpointConfigurationException ex)
        {
            throw new RunRefusedException($"{role} {model}: {ex.Message}");
        }
    }

    // Tokens ≈ characters / 4 for input; output is the case's max_tokens or Regression:EstimatedOutputTokens.
    private decimal Estimate(List<WorkItem> work, ModelPrice? judgePrice, bool usesJudge)
    {
        decimal total = 0;
        foreach (var item in work)
        {
            var inputChars = item.Case.Messages.Sum(m => m.Content.Length + 16);
            var input = (inputChars + 3) / 4;
            long output = item.Case.Options.MaxTokens ?? _options.EstimatedOutputTokens;
            total += item.Side.Price?.Cost(input, output) ?? 0;
            if (usesJudge && judgePrice is not null)
                foreach (var rubric in item.Case.Assertions.Where(a => a.Kind == AssertionKind.LlmRubric))
                    total += judgePrice.Cost((Judge.Instructions.Length + (rubric.Text?.Length ?? 0) + 4 * output + 3) / 4, 100);
        }
        return total;
    }

    private sealed class Run(RegressionRunner runner, RunRequest request, Judge? judge, ModelPrice? judgePrice, List<WorkItem> work, int finishedBefore, decimal spentBefore)
    {
        private readonly Channel<CaseResult> _results = Channel.CreateUnbounded<CaseResult>(new UnboundedChannelOptions { SingleReader = true });
        private readonly List<CaseResult> _kept = new(work.Count);
        private readonly Lock _spentLock = new();
        private decimal _spent = spentBefore;
        private int _next = -1;
        private volatile bool _budgetHit;

        public async Task<RunOutcome> ExecuteAsync(CancellationToken cancellationToken)
        {
            var started = runner._time.GetTimestamp();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var consumer = ConsumeAsync(started, stop);
            var workers = new Task[Math.Max(1, Math.Min(request.Concurrency, work.Count))];
            for (var i = 0; i < workers.Length; i++)
                workers[i] = Task.Run(() => WorkAsync(stop.Token), CancellationToken.None);
            try
            {
                await Task.WhenAll(workers);
            }
            finally
            {
                // Whatever happened to the workers, the consumer must finish handing over what they produced.
                _results.Writer.Complete();
                await consumer;
            }

            var stopReason = cancellationToken.IsCancellationRequested ? RunStop.Cancelled
                : _budgetHit && _kept.Count < work.Count ? RunStop.BudgetExhausted
                : RunStop.Completed;
            return new RunOutcome(_kept, stopReason, _spent, null, work.Count - _kept.Count, runner._time.GetElapsedTime(started));
        }

        private async Task WorkAsync(CancellationToken token)
        {
            while (!token.IsCancellationRequested)
            {
                if (request.BudgetUsd is { } budget && Spent >= budget)
                {
                    _budgetHit = true;
                    return;
                }
                var index = Interlocked.Increment(ref _next);
                if (index >= work.Count)
                    return;
                try
                {
                    var result = await runner.ExecuteAsync(work[index], judge, judgePrice, AddSpent, token);
                    _results.Writer.TryWrite(result);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        private decimal Spent
        {
            get
            {
                lock (_spentLock)
                    return _spent;
            }
        }

        private void AddSpent(decimal cost)
        {
            if (cost == 0)
                return;
            lock (_spentLock)
                _spent += cost;
        }

        private async Task ConsumeAsync(long started, CancellationTokenSource stop)
        {
            try
            {
                await foreach (var result in _results.Reader.ReadAllAsync(CancellationToken.None))
                {
                    _kept.Add(result);
                    // Finished results are persisted even when the run is being cancelled.
                    if (request.OnResult is { } onResult)
                        await onResult(result, CancellationToken.None);
                    request.Progress?.Report(new RunProgress(finishedBefore + _kept.Count, finishedBefore + work.Count, runner._time.GetElapsedTime(started), _kept.Count));
                }
            }
            catch
            {
                // A store that cannot keep results must not let the run go on spending.
                await stop.CancelAsync();
                throw;
            }
        }
    }

    private async Task<CaseResult> ExecuteAsync(WorkItem item, Judge? judge, ModelPrice? judgePrice, Action<decimal> addSpent, CancellationToken cancellationToken)
    {
        var c = item.Case;
        var target = item.Side.Target;
        var messages = new List<ChatMessage>(c.Messages.Count);
        foreach (var m in c.Messages)
            messages.Add(new ChatMessage(m.Role switch { "system" => ChatRole.System, "assistant" => ChatRole.Assistant, _ => ChatRole.User }, m.Content));
        var chatOptions = new ChatOptions
        {
            Temperature = c.Options.Temperature ?? 0,
            MaxOutputTokens = c.Options.MaxTokens,
            Seed = target.Kind == EndpointKind.OpenAI ? _options.Seed : null,
        };

        var call = await caller.CallAsync(target, messages, chatOptions, cancellationToken);
        if (!call.Ok)
            return new CaseResult(c.Id, item.Side.Which, target.Reference.ToString(), CaseStatus.Error, null, 0, 0, 0, false, null,
                call.Attempts, call.Error, [], _time.GetUtcNow());

        var output = call.Text ?? "";
        var estimated = call.InputTokens is null || call.OutputTokens is null;
        var inputTokens = call.InputTokens ?? (c.Messages.Sum(m => m.Content.Length) + 3) / 4;
        var outputTokens = call.OutputTokens ?? (output.Length + 3) / 4;
        var cost = item.Side.Price?.Cost(inputTokens, outputTokens);
        addSpent(cost ?? 0);
        var latencyMs = call.Latency.TotalMilliseconds;

        var input = new AssertionInput(output, latencyMs, cost);
        var assertions = new AssertionResult[c.Assertions.Count];
        for (var i = 0; i < assertions.Length; i++)
        {
            var spec = c.Assertions[i];
            if (spec.Kind == AssertionKind.LlmRubric)
            {
                var (graded, judgeCall) = await judge!.GradeAsync(spec, output, cancellationToken);
                assertions[i] = graded;
                if (judgeCall.Ok && judgePrice is not null)
                    addSpent(judgePrice.Cost(judgeCall.InputTokens ?? 0, judgeCall.OutputTokens ?? 0));
            }
            else
                assertions[i] = AssertionEvaluator.Evaluate(spec, input);
        }
        var status = assertions.Any(a => !a.Pass && !a.Error) ? CaseStatus.Failed
            : assertions.Any(a => a.Error) ? CaseStatus.Error
            : CaseStatus.Passed;
        return new CaseResult(c.Id, item.Side.Which, target.Reference.ToString(), status, output, latencyMs, inputTokens, outputTokens, estimated, cost,
            call.Attempts, null, assertions, _time.GetUtcNow());
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Regression run of {Suite}: {Results} results this run, {Errors} errors, {Stop} after {Seconds:0.0} s")]
        public static partial void Finished(ILogger logger, string suite, int results, int errors, RunStop stop, double seconds);
    }
}
