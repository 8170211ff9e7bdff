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
};
return await root.Parse(args).InvokeAsync();
