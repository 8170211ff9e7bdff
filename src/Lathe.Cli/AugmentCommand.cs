using System.CommandLine;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Augmentation;
using Lathe.Data.Sources;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe augment CONFIG [--out augment.png] [--images N]</c>: a picture of the config's image
/// preparation (prepare.image) and augmentation on real images, before training.</summary>
internal static class AugmentCommand
{
    public static Command Create()
    {
        var configPath = new Argument<string>("config") { Description = "The YAML config; its prepare.image and augment: sections are shown." };
        var output = new Option<string>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => "augment.png" };
        var count = new Option<int>("--images") { Description = "How many images (rows).", DefaultValueFactory = _ => 6 };
        var column = new Option<string?>("--column") { Description = "The image column to show, when the table has several (default: the first)." };
        var command = new Command("augment", "Preview the image preparation and augmentation of a config: a PNG grid of real images as loaded, as prepared, each augmentation alone and all together.")
        {
            configPath, output, count, column,
        };
        command.SetAction((result, token) => Verb.Run(_ =>
        {
            var config = ConfigReader.Load(result.GetValue(configPath)!);
            var table = DataSource.Open(config.Data).Read();
            var images = AugmentationPreview.ImagesOf(table, config.Target, config.Data.Exclude, Math.Max(1, result.GetValue(count)), result.GetValue(column));
            var path = result.GetValue(output)!;
            AtomicFile.WriteAllBytes(path, AugmentationPreview.Render(images, config.Augment, Math.Max(1, result.GetValue(count)), config.Seed, config.Prepare.Image));
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/].");
            return 0;
        }, token));
        return command;
    }
}
