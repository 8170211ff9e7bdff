using Lathe.Training;

namespace Lathe.Tests;

/// <summary>One penguins training run, shared by the tests that need a trained bundle.</summary>
public sealed class PenguinsRun
{
    public PenguinsRun()
    {
        Directory = TestData.TempDirectory();
        Result = TrainingRun.Run(TestData.Penguins(), Directory);
    }

    public string Directory { get; }
    public TrainResult Result { get; }
}

[CollectionDefinition(Name)]
public sealed class PenguinsCollection : ICollectionFixture<PenguinsRun>
{
    public const string Name = "penguins run";
}
