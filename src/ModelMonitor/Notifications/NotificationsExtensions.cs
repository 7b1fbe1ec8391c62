using Microsoft.Extensions.Options;

namespace ModelMonitor.Notifications;

internal static class NotificationsExtensions
{
    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration("Smtp").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<MailOptions>().BindConfiguration("Mail").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        builder.Services.AddOptions<ReportLinkOptions>().BindConfiguration("Reports").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReportLinkOptions>, ReportLinkOptionsValidator>();

        builder.Services.AddScoped<NotificationPlanner>();
        builder.Services.AddScoped<DigestLoader>();
        builder.Services.AddSingleton<DigestRenderer>();
        builder.Services.AddSingleton<GitHubIssueChannel>();
        builder.Services.AddSingleton<OutboxDelivery>();
        builder.Services.AddSingleton<WebhookTargets>();
        // Redirects are not followed (a 3xx is a failed delivery) and every connection goes through WebhookTargets.
        builder.Services.AddHttpClient(OutboxDelivery.WebhookClient, c => c.Timeout = TimeSpan.FromSeconds(60))
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectCallback = services.GetRequiredService<WebhookTargets>().ConnectAsync,
            });
    }

    public static void MapNotifications(this WebApplication app) => app.MapNotificationsApi();
}
