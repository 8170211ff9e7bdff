using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Schema;

namespace Lathe.Serving;

/// <summary>The OpenAPI 3.0 document of a served model, derived from its bundle: a record's fields with their types,
/// known categories and accepted ranges, the answer's shape for its task, and every error as problem details.</summary>
public static class OpenApi
{
    public static object Document(ServedModel model, ServeOptions options)
    {
        var manifest = model.Bundle.Manifest;
        var properties = new Dictionary<string, object>();
        foreach (var field in model.Fields) properties[field.Name] = FieldSchema(field, model, options);
        var record = new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = model.Fields.Select(f => f.Name).ToArray(),
            ["description"] = "One row, by the training data's column names. null marks a missing value. The target and unused columns may be sent and are ignored; any other field is refused.",
        };
        var answer = AnswerSchema(manifest);
        var problem = new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object>
            {
                ["type"] = new { type = "string" },
                ["title"] = new { type = "string" },
                ["status"] = new { type = "integer" },
                ["detail"] = new { type = "string" },
                ["instance"] = new { type = "string" },
                ["errors"] = new { type = "object", additionalProperties = new { type = "array", items = new { type = "string" } }, description = "Every bad field, by where it is: \"field\" or \"[index].field\" or \"line N\"." },
            },
        };
        object ProblemResponse(string description) => new Dictionary<string, object>
        {
            ["description"] = description,
            ["content"] = new Dictionary<string, object> { [Problems.ContentType] = new { schema = new Dictionary<string, string> { ["$ref"] = "#/components/schemas/Problem" } } },
        };
        var reference = (string name) => new Dictionary<string, string> { ["$ref"] = $"#/components/schemas/{name}" };
        return new Dictionary<string, object>
        {
            ["openapi"] = "3.0.3",
            ["info"] = new { title = $"Lathe model: {manifest.Target}", version = model.Version, description = $"{ConfigNames.Of(manifest.Task)} of '{manifest.Target}', served by lathe serve (Lathe {manifest.Lathe})." },
            ["paths"] = new Dictionary<string, object>
            {
                ["/v1/predict"] = new
                {
                    post = new Dictionary<string, object>
                    {
                        ["summary"] = "Predict for one record or several",
                        ["requestBody"] = new
                        {
                            required = true,
                            content = new Dictionary<string, object>
                            {
                                ["application/json"] = new { schema = new { oneOf = new object[] { reference("Record"), new { type = "array", items = reference("Record"), minItems = 1, maxItems = options.MaxRecords } } } },
                                ["text/csv"] = new { schema = new { type = "string", description = "A header row of field names, then one record per row; an empty field is a missing value." } },
                            },
                        },
                        ["responses"] = new Dictionary<string, object>
                        {
                            ["200"] = new { description = "The prediction (one record), or predictions in order (several).", content = new Dictionary<string, object> { ["application/json"] = new { schema = new { oneOf = new object[] { reference("Answer"), reference("Answers") } } } } },
                            ["400"] = ProblemResponse("A record does not fit the schema, or the body cannot be read; `errors` lists every bad field."),
                            ["401"] = ProblemResponse("An API key is required."),
                            ["413"] = ProblemResponse("The body or the number of records is over the limit."),
                            ["415"] = ProblemResponse("Not application/json or text/csv."),
                            ["503"] = ProblemResponse("Overloaded or not ready; see Retry-After."),
                            ["504"] = ProblemResponse("No prediction within the request timeout."),
                        },
                    },
                },
                ["/v1/model"] = new { get = new { summary = "The model: version, task, input schema, metrics", responses = new Dictionary<string, object> { ["200"] = new { description = "The model" } } } },
                ["/healthz"] = new { get = new { summary = "Alive", responses = new Dictionary<string, object> { ["200"] = new { description = "The process answers" } } } },
                ["/readyz"] = new { get = new { summary = "Ready: a model is loaded and warmed, and the server is not saturated", responses = new Dictionary<string, object> { ["200"] = new { description = "Ready" }, ["503"] = ProblemResponse("Not ready") } } },
                ["/metrics"] = new { get = new { summary = "Prometheus metrics", responses = new Dictionary<string, object> { ["200"] = new { description = "Text exposition format" } } } },
                ["/v1/admin/reload"] = new { post = new { summary = "Load the served bundle from disk again; a bundle that fails verification leaves the current model serving", responses = new Dictionary<string, object> { ["200"] = new { description = "Reloaded" }, ["422"] = ProblemResponse("The bundle on disk was refused") } } },
            },
            ["components"] = new Dictionary<string, object>
            {
                ["schemas"] = new Dictionary<string, object>
                {
                    ["Record"] = record,
                    ["Answer"] = answer,
                    ["Answers"] = new { type = "object", properties = new Dictionary<string, object> { ["model_version"] = new { type = "string" }, ["predictions"] = new { type = "array", items = reference("Answer") } } },
                    ["Problem"] = problem,
                },
                ["securitySchemes"] = new Dictionary<string, object> { ["apiKey"] = new { type = "apiKey", @in = "header", name = "X-API-Key" } },
            },
        };
    }

    private static object FieldSchema(InputField field, ServedModel model, ServeOptions options)
    {
        var schema = new Dictionary<string, object> { ["nullable"] = true };
        switch (field.Type)
        {
            case ColumnType.Numeric:
                schema["type"] = "number";
                var (low, high) = RecordTable.AcceptedRange(field);
                if (options.RejectOutOfRange && double.IsFinite(low))
                {
                    schema["minimum"] = low;
                    schema["maximum"] = high;
                }
                break;
            case ColumnType.Categorical when field.Categories is { } categories:
                schema["type"] = "string";
                if (options.RejectUnknownCategories) schema["enum"] = categories.Cast<object>().Append(null!).ToArray();
                else schema["description"] = $"Known categories: {string.Join(", ", categories)}; others are read as none of these.";
                break;
            case ColumnType.Boolean:
                schema["type"] = "boolean";
                break;
            case ColumnType.DateTime:
                schema["type"] = "string";
                schema["format"] = "date-time";
                break;
            case ColumnType.Image:
                var (c, h, w) = model.ImageShape(field.Name);
                schema["type"] = "string";
                schema["format"] = "byte";
                schema["nullable"] = false;
                schema["description"] = $"Base64 of a PNG, JPEG, BMP, GIF or WebP file (resized to {w}×{h}), or of {c * h * w} raw uint8 pixels, channel-first {c}×{h}×{w}.";
                break;
            default:
                schema["type"] = "string";
                break;
        }
        return schema;
    }

    private static object AnswerSchema(BundleManifest manifest)
    {
        var probabilities = new { type = "object", additionalProperties = new { type = "number" }, description = "Each class's probability." };
        object prediction = manifest.Task switch
        {
            TaskKind.Classification => new { type = "string", @enum = manifest.Outputs },
            TaskKind.Multilabel => new { type = "array", items = new { type = "string", @enum = manifest.Outputs }, description = "The labels whose probability is at least 0.5." },
            _ when manifest.Outputs.Count > 1 => new { type = "object", additionalProperties = new { type = "number" }, description = $"One value per target: {string.Join(", ", manifest.Outputs)}." },
            _ => new { type = "number" },
        };
        var properties = new Dictionary<string, object> { ["model_version"] = new { type = "string" }, ["prediction"] = prediction };
        if (manifest.Task is TaskKind.Classification or TaskKind.Multilabel) properties["probabilities"] = probabilities;
        return new { type = "object", properties };
    }
}
