using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Lathe.Tests.Cli;

/// <summary>The real <c>lathe serve</c> process: it listens on loopback, answers, and stops cleanly on SIGTERM and SIGINT.</summary>
[Collection(PenguinsCollection.Name)]
public class ServeCliTests(PenguinsRun run)
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Theory]
    [InlineData(15)]
    [InlineData(2)]
    public async Task Serve_answers_on_loopback_and_a_signal_stops_it_cleanly(int signal)
    {
        var port = FreePort();
        // An ASP.NET Core settings file where the server starts (another application's, say) asks for a second endpoint on
        // every interface: lathe serve takes its configuration from its options alone and ignores it.
        var directory = TestData.TempDirectory();
        var stray = FreePort();
        File.WriteAllText(Path.Combine(directory, "appsettings.json"), $$"""{ "Kestrel": { "Endpoints": { "Stray": { "Url": "http://0.0.0.0:{{stray}}" } } } }""");
        using var serve = LatheProcess.Start(directory, "serve", run.Result.BundlePath, "--urls", $"http://127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitReady(client, serve);
        using (var probe = new TcpClient())
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, stray));

        var record = Serving.TestServer.Json(Serving.TestServer.Record(run.Result.TestRows, 0));
        var response = await client.PostAsync("/v1/predict", new StringContent(record, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(run.Result.TestPredictions.Labels[0], await response.Content.ReadAsStringAsync());

        Assert.Equal(0, kill(serve.Process.Id, signal));
        var outcome = serve.Finish();
        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Out}\n{outcome.Error}");
        Assert.Contains($"on http://127.0.0.1:{port}", System.Text.RegularExpressions.Regex.Replace(outcome.Out, @"\s+", " "));
        Assert.Contains("Stopped.", outcome.Out);
    }

    [Fact]
    public void A_missing_bundle_or_a_weak_api_key_is_a_clear_error()
    {
        var dir = TestData.TempDirectory();
        var missing = LatheProcess.Run(dir, "serve", "none.lathe");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("model bundle 'none.lathe' does not exist", missing.Error);

        File.WriteAllText(Path.Combine(dir, "key.txt"), "short\n");
        var weak = LatheProcess.Run(dir, "serve", run.Result.BundlePath, "--api-key-file", "key.txt");
        Assert.Equal(1, weak.ExitCode);
        Assert.Contains("--api-key-file: the key in 'key.txt' is 5 characters; use at least 16", weak.Error);

        var negative = LatheProcess.Run(dir, "serve", run.Result.BundlePath, "--max-batch-size", "-1");
        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("--max-batch-size must be 0 (timed as the model loads) or more", negative.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitReady(HttpClient client, LatheProcess.Running serve)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(serve.Process.HasExited, "lathe serve exited before it was ready");
            try
            {
                if ((await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("lathe serve was not ready within 60 s");
    }
}
