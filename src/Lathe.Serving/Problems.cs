using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Lathe.Serving;

/// <summary>Every bad field of a request, keyed by where it is ("bill_length_mm", "[3].island", "line 4").</summary>
public sealed class ProblemErrors
{
    /// <summary>At most this many fields are listed; a request with more says how many were left out.</summary>
    public const int MaxListed = 100;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _count;

    public int Count => _count;
    public IReadOnlyDictionary<string, List<string>> Errors => _errors;

    public ProblemErrors Add(string where, string message)
    {
        _count++;
        if (_errors.Count < MaxListed || _errors.ContainsKey(where))
        {
            if (!_errors.TryGetValue(where, out var list)) _errors[where] = list = [];
            list.Add(message);
        }
        return this;
    }

    public void ThrowIfAny()
    {
        if (_count == 0) return;
        var first = _errors.First();
        var more = _count > 1 ? $" (and {_count - 1} more)" : "";
        throw new RequestException(400, "invalid-input", "Invalid input", $"'{first.Key}': {first.Value[0]}{more}", this);
    }
}

/// <summary>A request the server refuses: its status, a problem type (<c>/problems/TYPE</c>), a title, what is wrong,
/// and the bad fields.</summary>
public sealed class RequestException(int status, string type, string title, string detail, ProblemErrors? errors = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string Title { get; } = title;
    public ProblemErrors? Errors { get; } = errors;
}

/// <summary>RFC 9457 problem details, the body of every error the server answers.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>The problem types, each described at <c>GET /problems/TYPE</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> Types = new Dictionary<string, string>
    {
        ["invalid-input"] = "A record does not fit the model's input schema: a field is missing, unknown, of the wrong type, an unknown category (when refused) or out of range. `errors` lists every bad field.",
        ["malformed"] = "The body cannot be read: not JSON or CSV, not UTF-8, not records, or empty.",
        ["unsupported-media-type"] = "POST /v1/predict takes application/json or text/csv.",
        ["too-large"] = "The body is larger than the server accepts (--max-body-bytes).",
        ["too-many-records"] = "The request carries more records than the server accepts at once (--max-records).",
        ["overloaded"] = "The server has more work queued than it can answer in time; retry after Retry-After seconds.",
        ["timeout"] = "The prediction was not ready within the request timeout (--timeout-ms).",
        ["unauthorized"] = "The server asks for an API key: send it as X-API-Key or Authorization: Bearer.",
        ["not-ready"] = "No model is loaded and warmed yet.",
        ["not-found"] = "There is no such route.",
        ["method-not-allowed"] = "The route does not take this method.",
        ["reload-failed"] = "The bundle on disk could not be loaded; the model served before keeps serving.",
        ["prediction-failed"] = "The model failed on this record; other records are unaffected.",
        ["bad-request"] = "The HTTP request itself is malformed.",
        ["server-error"] = "An unexpected fault; the server logged it and keeps serving.",
    };

    public static string TypeUri(string type) => $"/problems/{type}";

    public static Task Write(HttpContext context, int status, string type, string title, string detail, ProblemErrors? errors = null)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        var body = new Dictionary<string, object?>
        {
            ["type"] = TypeUri(type),
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (errors is not null)
        {
            body["errors"] = errors.Errors;
            if (errors.Count > errors.Errors.Sum(e => e.Value.Count)) body["errors_total"] = errors.Count;
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json.Options));
    }

    public static Task Write(HttpContext context, RequestException e) => Write(context, e.Status, e.Type, e.Title, e.Message, e.Errors);
}

internal static class Json
{
    // Problem bodies quote the request's own text; relaxed escaping keeps quotes and dashes readable (the body is JSON, never HTML).
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
