using System.ComponentModel.DataAnnotations;

namespace ModelMonitor.Notifications;

/// Section "Smtp". With no Host, digests are written as .eml files to Mail:PickupDirectory instead.
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    [Range(1, 65535, ErrorMessage = "Smtp:Port must be from 1 to 65535.")]
    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? Username { get; set; }

    // From the environment (Smtp__Password); never logged.
    public string? Password { get; set; }

    // Each SMTP command (connect, greeting, a reply) waits at most this long; a silent server is a failed attempt.
    [Range(1, 600, ErrorMessage = "Smtp:TimeoutSeconds must be from 1 to 600.")]
    public int TimeoutSeconds { get; set; } = 30;

    [EmailAddress(ErrorMessage = "Smtp:From must be an email address.")]
    public string From { get; set; } = "monitor@localhost";
}

public enum SmtpSecurity
{
    None,
    StartTls,
    Ssl,
}

/// Section "Mail".
public sealed class MailOptions
{
    // Where digests go as .eml files when no SMTP host is configured (relative to the working directory).
    [Required(AllowEmptyStrings = false, ErrorMessage = "Mail:PickupDirectory must not be empty.")]
    public string PickupDirectory { get; set; } = ".data/mail";
}
