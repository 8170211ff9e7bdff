using Lathe.Engine;
using static TorchSharp.torch;

namespace Lathe.Tests.Engine;

public class GlibcxxCompatTests
{
    private static readonly string Shipped = Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static bool SystemLacksVersion() =>
        !ElfVersionNeeds.Defines(File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"), ElfVersionNeeds.TorchSharpNeed);

    [Fact]
    public void Build_output_marks_the_need_weak_exactly_when_the_system_lacks_it_and_leaves_the_package_cache_alone()
    {
        var copies = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
            Assert.All(ElfVersionNeeds.FlagsOf(File.ReadAllBytes(copy), ElfVersionNeeds.TorchSharpNeed), f => Assert.Equal(SystemLacksVersion(), ElfVersionNeeds.IsWeak(f)));
        var shipped = ElfVersionNeeds.FlagsOf(File.ReadAllBytes(Shipped), ElfVersionNeeds.TorchSharpNeed);
        Assert.Single(shipped);
        Assert.False(ElfVersionNeeds.IsWeak(shipped[0]));
    }

    [Fact]
    public void Weaken_changes_one_flag_byte_of_the_named_version_and_nothing_else()
    {
        var original = File.ReadAllBytes(Shipped);
        var patched = (byte[])original.Clone();
        Assert.Equal(1, ElfVersionNeeds.Weaken(patched, ElfVersionNeeds.TorchSharpNeed));
        Assert.Equal(1, original.Zip(patched).Count(p => p.First != p.Second));
        Assert.True(ElfVersionNeeds.IsWeak(ElfVersionNeeds.FlagsOf(patched, ElfVersionNeeds.TorchSharpNeed)[0]));
        Assert.All(ElfVersionNeeds.FlagsOf(patched, "GLIBCXX_3.4.30"), f => Assert.False(ElfVersionNeeds.IsWeak(f)));
        Assert.Equal(0, ElfVersionNeeds.Weaken(patched, ElfVersionNeeds.TorchSharpNeed));
    }

    [Fact]
    public void The_system_libstdcxx_check_reads_real_version_definitions()
    {
        var system = File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
        Assert.True(ElfVersionNeeds.Defines(system, "GLIBCXX_3.4.29"));
        Assert.False(ElfVersionNeeds.Defines(system, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Non_elf_input_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.FlagsOf("not an elf file at all, just text....................................."u8.ToArray(), "X"));
    }

    [Fact]
    public void A_tiny_model_trains_through_the_engine()
    {
        TorchRuntime.Configure(threads: 2, seed: 1);
        // Penguin flipper length and body mass (standardised) separate Gentoo from the rest.
        var table = Lathe.Data.Sources.DataSource.Open(TestData.Vega("penguins.json")).Read();
        var flipper = ((Lathe.Data.NumericColumn)table["Flipper Length (mm)"]).Values;
        var mass = ((Lathe.Data.NumericColumn)table["Body Mass (g)"]).Values;
        var species = ((Lathe.Data.StringColumn)table["Species"]).Values;
        var rows = Enumerable.Range(0, table.RowCount).Where(i => !double.IsNaN(flipper[i]) && !double.IsNaN(mass[i])).ToArray();
        var x = rows.SelectMany(i => new[] { (float)((flipper[i] - 200) / 14), (float)((mass[i] - 4200) / 800) }).ToArray();
        var y = rows.Select(i => species[i] == "Gentoo" ? 1L : 0L).ToArray();

        using var inputs = tensor(x, [rows.Length, 2]);
        using var labels = tensor(y);
        using var model = nn.Sequential(("hidden", nn.Linear(2, 8)), ("relu", nn.ReLU()), ("out", nn.Linear(8, 2)));
        using var optimizer = optim.Adam(model.parameters(), 0.05);
        float Loss() { using var _ = no_grad(); return nn.functional.cross_entropy(model.forward(inputs), labels).item<float>(); }
        var before = Loss();
        for (var step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(inputs), labels).backward();
            optimizer.step();
        }
        Assert.True(Loss() < before / 4, $"loss {before} → {Loss()}");
    }
}
