using System.CommandLine;
using System.Globalization;
using Lathe.Config;
using Lathe.Reporting;
using Lathe.Training;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe lr-find CONFIG [--out lr-find.svg] [--steps 100] [--from 1e-7] [--to 10]</c>: the
/// learning-rate range test; plots loss against rate and prints a rate to put in training.learning_rate.</summary>
internal static class LrFindCommand
{
    public static Command Create()
    {
        var configPath = new Argument<string>("config") { Description = "The YAML config; its data, model and training sections are used." };
        var output = new Option<string>("--out") { Description = "The SVG plot to write.", DefaultValueFactory = _ => "lr-find.svg" };
        var steps = new Option<int>("--steps") { Description = "Batches in the sweep (at most; it stops when the loss explodes).", DefaultValueFactory = _ => 100 };
        var from = new Option<double>("--from") { Description = "The first learning rate.", DefaultValueFactory = _ => 1e-7 };
        var to = new Option<double>("--to") { Description = "The last learning rate.", DefaultValueFactory = _ => 10 };
        var command = new Command("lr-find", "Find a learning rate: train from the initial model with a rate growing exponentially batch by batch, plot the loss against it and suggest the rate where the loss falls fastest.")
        {
            configPath, output, steps, from, to,
        };
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            var config = ConfigReader.Load(result.GetValue(configPath)!);
            var path = Path.GetFullPath(result.GetValue(output)!);
            var sweep = LearningRateFinder.Find(config, Path.GetDirectoryName(path)!, result.GetValue(steps), result.GetValue(from), result.GetValue(to), cancellationToken: cancel);
            AtomicFile.WriteAllText(path, LearningRateChart.Svg(sweep));
            string Rate(double r) => r.ToString("0.###e0", CultureInfo.InvariantCulture);
            Verb.Out.MarkupLine($"Swept {sweep.Rates.Count} batches from {Rate(sweep.Rates[0])} to {Rate(sweep.Rates[^1])}; lowest smoothed loss {Verb.Format(sweep.Smoothed.Min())} at {Rate(sweep.Minimum)}.");
            Verb.Out.MarkupLine($"Suggested learning_rate: [bold]{Rate(sweep.Suggested)}[/] (steepest descent; the minimum / 10 is {Rate(sweep.MinimumOverTen)}).");
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/].");
            return 0;
        }, token));
        return command;
    }
}
