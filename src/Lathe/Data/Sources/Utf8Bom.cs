namespace Lathe.Data.Sources;

/// <summary>The UTF-8 byte-order mark (EF BB BF) that Windows tools write before text: not part of the data.</summary>
internal static class Utf8Bom
{
    /// <summary>3 when <paramref name="bytes"/> starts with the mark, else 0: where the text starts.</summary>
    public static int Length(ReadOnlySpan<byte> bytes) => bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
}
