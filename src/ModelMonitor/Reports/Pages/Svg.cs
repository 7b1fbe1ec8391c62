using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace ModelMonitor.Reports.Pages;

/// SVG's <text> element, which Razor markup reserves for itself; its content goes through AddContent (escaped).
public static class Svg
{
    public static RenderFragment Text(double x, double y, string content, int fontSize = 12, string fill = "#1d2430", string? anchor = null, string? cssClass = null) =>
        builder =>
        {
            builder.OpenElement(0, "text");
            builder.AddAttribute(1, "x", x.ToString("0.#", CultureInfo.InvariantCulture));
            builder.AddAttribute(2, "y", y.ToString("0.#", CultureInfo.InvariantCulture));
            builder.AddAttribute(3, "font-size", fontSize.ToString(CultureInfo.InvariantCulture));
            builder.AddAttribute(4, "fill", fill);
            if (anchor is not null)
                builder.AddAttribute(5, "text-anchor", anchor);
            if (cssClass is not null)
                builder.AddAttribute(6, "class", cssClass);
            builder.AddContent(7, content);
            builder.CloseElement();
        };
}
