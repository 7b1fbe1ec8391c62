using Microsoft.Extensions.Logging;
using ModelMonitor.Scheduling;

namespace ModelMonitor.Tests.Scheduling;

public sealed class JobLogTests
{
    [Theory]
    [InlineData(Jobs.NotifyDeliver)]
    [InlineData(Jobs.RegressionRun)]
    public void ThePollingJobsStartAndFinishAtDebugSoAnIdleServiceIsQuiet(string job) =>
        Assert.Equal(LogLevel.Debug, JobLog.LevelOf(job));

    [Fact]
    public void EveryOtherJobStartsAndFinishesAtInformation()
    {
        var others = Jobs.DefaultCrons.Keys.Where(j => !Jobs.Polling.Contains(j)).ToList();

        Assert.Equal(6, others.Count);
        Assert.All(others, job => Assert.Equal(LogLevel.Information, JobLog.LevelOf(job)));
    }
}
