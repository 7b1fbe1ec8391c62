namespace ModelMonitor.Hosting;

/// Headers every response carries, pages and API alike. The pages are server-rendered, need no script and
/// load only their own stylesheet, so the policy can forbid everything else; Monitor sets no cookies at all
/// (bearer tokens only), so there is no cookie to flag.
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
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Only over TLS: a browser ignores it on plain HTTP, and a proxy terminating TLS sets its own.
            if (context.Request.IsHttps)
                headers.StrictTransportSecurity = "max-age=31536000";
            return next(context);
        });
}
