using System.CommandLine;
using Lathe;
using Lathe.Cli;

var root = new RootCommand($"Lathe {LatheInfo.Version}: deep learning on your own data, from raw file to trained, evaluated, deployable model.")
{
    InitCommand.Create(),
    ProfileCommand.Create(),
    PrepareCommand.Create(),
    AugmentCommand.Create(),
    LrFindCommand.Create(),
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    ServeCommand.Create(),
};
// Ctrl+C cancels; training then ends its batch and writes a checkpoint, which may take longer than the default 2 s.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(1) });
