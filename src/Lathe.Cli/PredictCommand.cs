using System.CommandLine;
using System.Text;
using Lathe.Bundles;
using Lathe.Data.Cleaning;
using Lathe.Data.Sources;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe predict MODEL --data FILE --out FILE</c>: one CSV row of predictions per input row.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model bundle (model.lathe)." };
        var data = new Option<string>("--data") { Description = "Rows to predict, in the training data's layout (the target column may be absent).", Required = true };
        var output = new Option<string>("--out") { Description = "The CSV file to write.", Required = true };
        var command = new Command("predict", "Predict for every row of a file; writes the prediction and, for classification, a probability per class.")
        {
            model, data, output,
        };
        command.SetAction((result, token) => Verb.Run(_ =>
        {
            var bundle = Bundle.Load(result.GetValue(model)!);
            var table = Quarantine.RequireNone(DataSource.Open(result.GetValue(data)!).Read());
            using var predictor = bundle.CreatePredictor();
            var predictions = predictor.Predict(table);
            var path = result.GetValue(output)!;
            AtomicFile.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
                predictions.WriteCsv(writer, bundle.Manifest.Target);
            });
            Verb.Out.MarkupLine($"Predicted {predictions.Count} rows; wrote [bold]{Markup.Escape(path)}[/].");
            return 0;
        }, token));
        return command;
    }
}
