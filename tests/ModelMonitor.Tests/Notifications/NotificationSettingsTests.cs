using Microsoft.Extensions.Options;
using ModelMonitor.Notifications;

namespace ModelMonitor.Tests.Notifications;

public sealed class NotificationSettingsTests
{
    private static ValidateOptionsResult Validate(Action<NotificationOptions> change)
    {
        var options = new NotificationOptions();
        change(options);
        return new NotificationOptionsValidator().Validate(null, options);
    }

    [Fact]
    public void TheDefaultPolicyIsValidAndHasTheDocumentedMilestones()
    {
        var options = new NotificationOptions();

        Assert.True(new NotificationOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal([90, 60, 30, 14, 7, 3, 1, 0], options.EffectiveMilestones);
        Assert.Equal([30, 7, 1, 0], options.EffectiveReadyMilestones);
    }

    [Theory]
    [InlineData("ready", "Notifications:ReadyMilestones must be a subset of Notifications:Milestones; 45 is not one of them.")]
    [InlineData("negative", "Notifications:Milestones must be days from 0 to 3650")]
    [InlineData("duplicate", "Notifications:Milestones has duplicates")]
    [InlineData("operator", "Notifications:OperatorEmails:0 is not an email address: 'ops at corp'.")]
    [InlineData("key", "Notifications:WebhookKey must be at least 32 characters")]
    [InlineData("batch", "Notifications:Delivery:BatchSize must be from 1 to 10000.")]
    public void ABadPolicyIsRejectedNamingTheSetting(string what, string expected)
    {
        var result = Validate(o =>
        {
            switch (what)
            {
                case "ready": o.ReadyMilestones = [45, 7]; break;
                case "negative": o.Milestones = [30, -1]; break;
                case "duplicate": o.Milestones = [30, 30, 7]; break;
                case "operator": o.OperatorEmails = ["ops at corp"]; break;
                case "key": o.WebhookKey = "short"; break;
                case "batch": o.Delivery.BatchSize = 0; break;
            }
        });

        Assert.False(result.Succeeded);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
