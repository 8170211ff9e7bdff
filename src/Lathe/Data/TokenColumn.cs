namespace Lathe.Data;

/// <summary>Text as fixed-length token-id sequences, for sequence models: one contiguous [count, length] buffer of
/// ids, each row cut to <see cref="Length"/> tokens or filled up with the padding id at the end.</summary>
public sealed class TokenColumn : Column
{
    public TokenColumn(string name, int[] ids, int length, int paddingId = 0) : base(name)
    {
        if (length < 1 || ids.Length % length != 0)
            throw new ArgumentException($"{ids.Length} ids do not make rows of {length}", nameof(ids));
        Ids = ids;
        Length = length;
        PaddingId = paddingId;
    }

    public int[] Ids { get; }
    public int Length { get; }
    public int PaddingId { get; }
    public override int Count => Ids.Length / Length;

    public ReadOnlySpan<int> Row(int row) => Ids.AsSpan(row * Length, Length);

    /// <summary>A row of padding alone: the text was missing or empty.</summary>
    public override bool IsMissing(int row) => Row(row)[0] == PaddingId;

    public override Column Gather(ReadOnlySpan<int> rows)
    {
        var picked = new int[rows.Length * Length];
        for (var i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(picked.AsSpan(i * Length, Length));
        return new TokenColumn(Name, picked, Length, PaddingId);
    }

    public override Column Rename(string name) => new TokenColumn(name, Ids, Length, PaddingId);
}
