namespace ModelMonitor.Hosting;

/// Headers every response carries, pages and API alike. The pages are server-rendered, need no script and
/// load only their own stylesheet, so the policy can forbid everything else. (The login cookie is flagged where
/// it is issued: Reports/PageAuth.)
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void UseSecurityHeaders(this WebApplication app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the login form's POST.
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Only over TLS: a browser ignores it on plain HTTP, and a proxy terminating TLS sets its own.
            if (context.Request.IsHttps)
                headers.StrictTransportSecurity = "max-age=31536000";
            return next(context);
        });
}
