using Lathe.Bundles;

namespace Lathe.Tests.Bundles;

/// <summary>R16 at a small scale: seeded random mutations of a real bundle. Every one is refused with a
/// <see cref="BundleFormatException"/>, or — when it only touched bytes the reader ignores (a zip
/// timestamp, say) — loads to exactly the original content. Nothing else may escape.</summary>
[Collection(PenguinsCollection.Name)]
public class BundleFuzzTests(PenguinsRun run)
{
    [Fact]
    public void Mutated_bundles_are_refused_with_a_typed_error_or_load_unchanged()
    {
        var original = File.ReadAllBytes(run.Result.BundlePath);
        var reference = Bundle.Load(run.Result.BundlePath);
        var random = new SeededRandom(2026);
        var path = Path.Combine(TestData.TempDirectory(), "fuzzed.lathe");
        int refused = 0, unchanged = 0;
        for (var i = 0; i < 600; i++)
        {
            var mutated = Mutate(original, random, i % 3);
            File.WriteAllBytes(path, mutated);
            try
            {
                var loaded = Bundle.Load(path);
                Assert.Equal(reference.Weights, loaded.Weights);
                Assert.Equal(reference.ConfigYaml, loaded.ConfigYaml);
                Assert.Equal(reference.Manifest.Entries, loaded.Manifest.Entries);
                unchanged++;
            }
            catch (BundleFormatException)
            {
                refused++;
            }
        }
        Assert.Equal(600, refused + unchanged);
        Assert.True(refused > 500, $"only {refused} of 600 mutations were refused");
    }

    private static byte[] Mutate(byte[] bytes, SeededRandom random, int kind)
    {
        switch (kind)
        {
            case 0:
                var flipped = (byte[])bytes.Clone();
                for (var n = 1 + random.Next(3); n > 0; n--) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return flipped;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            default:
                var at = random.Next(bytes.Length);
                var insert = new byte[1 + random.Next(16)];
                for (var k = 0; k < insert.Length; k++) insert[k] = (byte)random.Next(256);
                return [.. bytes[..at], .. insert, .. bytes[at..]];
        }
    }
}
