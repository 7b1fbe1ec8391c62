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
    }

    public static void MapNotifications(this WebApplication app)
    {
    }
}
