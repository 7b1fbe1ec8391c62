using System.Diagnostics;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Notifications;
using Npgsql;

namespace ModelMonitor.Tests.Hardening;

/// The documented guarantee: a node killed (SIGKILL) while delivering resends at most the message that was in
/// flight, once, with the same Message-Id; nothing else is sent twice and nothing is lost.
public sealed class KillDuringDeliveryTests
{
    [Fact]
    public async Task AKillNineMidDeliveryResendsOnlyTheMessageInFlightWithTheSameMessageId()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await h.AddModelAsync("openai", "gpt-4-0613", NotifyHarness.Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        for (var i = 1; i <= 3; i++)
        {
            await h.CreateTeamAsync($"team-{i}");
            await h.PutAppAsync($"team-{i}", "app", ["openai/gpt-4-0613"]);
        }
        await h.PlanAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Monitor"] = h.App.ConnectionString,
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp__Security"] = "None",
            ["Smtp__From"] = "monitor@monitor.test",
            ["Reports__BaseUrl"] = "https://monitor.test",
            ["Notifications__Delivery__LeaseSeconds"] = "10",
        };

        // The first node dies the moment the server has the second message, before it can record the send.
        using var first = Start(environment);
        var killed = false;
        smtp.OnData = async () =>
        {
            if (smtp.Messages.Count == 2)
            {
                killed = true;
                first.Kill(); // SIGKILL: no shutdown code runs
                await first.WaitForExitAsync();
            }
        };
        await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(killed, "the first node finished before the second message: " + await first.StandardOutput.ReadToEndAsync());
        smtp.OnData = null;
        Assert.Equal(2, smtp.Messages.Count);

        // Another node, once the dead node's lease has lapsed.
        await LapseLeasesAsync(h.App.ConnectionString);
        using var second = Start(environment);
        var output = await second.StandardOutput.ReadToEndAsync();
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(second.ExitCode == 0, output + await second.StandardError.ReadToEndAsync());
        Assert.Contains("Delivered 2 message(s); 0 failed", output);
        var ids = smtp.Messages.Select(m => m.Message.MessageId).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(3, ids.Distinct().Count());
        // The resent one is the message in flight at the kill, under the same Message-Id.
        Assert.Equal(2, ids.Count(id => id == ids[1]));
        Assert.All(await h.OutboxAsync(), o => Assert.NotNull(o.SentAt));
    }

    private static Process Start(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(MonitorProcess.HostAssembly());
        foreach (var arg in new[] { "notify", "--as-of", NotifyHarness.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return Process.Start(start)!;
    }

    /// What ten seconds of waiting would do, without waiting: the killed node's leases lapse (it can no longer
    /// renew them), so the next node may claim the message it had in flight.
    private static async Task LapseLeasesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE outbox SET claimed_until = now() - interval '1 second' WHERE sent_at IS NULL AND claimed_until > now()", connection);
        await command.ExecuteNonQueryAsync();
    }
}
