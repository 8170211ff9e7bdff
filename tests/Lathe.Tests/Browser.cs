using Microsoft.Playwright;

namespace Lathe.Tests;

/// <summary>Debian's Chromium, headless, driven by Playwright: for tests that check what a person sees in
/// a report. No browser is downloaded; .ci/run installs the chromium package.</summary>
public static class Browser
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Opens a local HTML file, runs <paramref name="check"/> on the page, and saves a screenshot when asked.</summary>
    public static async Task Open(string htmlFile, Func<IPage, Task> check, string? screenshot = null)
    {
        Assert.True(File.Exists(Chromium), "Chromium is not installed: run `apt-get install chromium` (.ci/run does)");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var failed = new List<string>();
        page.RequestFailed += (_, request) => failed.Add(request.Url);
        await page.GotoAsync(new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri);
        await check(page);
        Assert.Empty(failed);
        if (screenshot is not null) await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
    }
}
