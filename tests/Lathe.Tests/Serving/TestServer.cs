using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lathe.Data;
using Lathe.Serving;

namespace Lathe.Tests.Serving;

/// <summary>A real <see cref="LatheServer"/> on a loopback port chosen by the system, and a client for it.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(LatheServer server)
    {
        Server = server;
        Address = new Uri(server.Addresses.Single());
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public LatheServer Server { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }

    /// <summary>Starts a server for <paramref name="bundle"/>; <paramref name="configure"/> changes the options (no file watch unless asked).</summary>
    public static async Task<TestServer> Start(string bundle, Func<ServeOptions, ServeOptions>? configure = null)
    {
        var options = new ServeOptions { ModelPath = bundle, Urls = "http://127.0.0.1:0", Watch = false };
        return new TestServer(await LatheServer.StartAsync(configure?.Invoke(options) ?? options));
    }

    public Task<HttpResponseMessage> PostJson(string json, string path = "/v1/predict") =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> Post(byte[] body, string? contentType, string path = "/v1/predict")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Client.PostAsync(path, content);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A table's row as a JSON record, by its column names: numbers as numbers, missing values as null.</summary>
    public static Dictionary<string, object?> Record(Table table, int row, IEnumerable<string>? only = null)
    {
        var names = only?.ToHashSet() ?? table.ColumnNames.ToHashSet();
        var record = new Dictionary<string, object?>();
        foreach (var column in table.Columns.Where(c => names.Contains(c.Name)))
            record[column.Name] = column switch
            {
                NumericColumn n => double.IsNaN(n.Values[row]) ? null : n.Values[row],
                StringColumn s => s.Values[row],
                _ => throw new ArgumentException($"column '{column.Name}' is not a table column"),
            };
        return record;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>Asserts that <paramref name="response"/> is 200 with <paramref name="expected"/>'s one-row prediction: its
    /// label and every class probability, bit for bit.</summary>
    public static async Task AssertAnswers(HttpResponseMessage response, Lathe.Bundles.Predictions expected)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(expected.Labels[0], answer.RootElement.GetProperty("prediction").GetString());
        for (var k = 0; k < expected.Classes.Count; k++)
            Assert.Equal(expected.Probabilities[k], answer.RootElement.GetProperty("probabilities").GetProperty(expected.Classes[k]).GetSingle());
    }

    /// <summary>A problem-details body: its status, type and the listed fields.</summary>
    public static async Task<(int Status, string Type, string Title, JsonElement Body)> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var body = document.RootElement.Clone();
        Assert.Equal((int)response.StatusCode, body.GetProperty("status").GetInt32());
        return (body.GetProperty("status").GetInt32(), body.GetProperty("type").GetString()!, body.GetProperty("title").GetString()!, body);
    }
}
