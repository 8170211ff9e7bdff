using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Lathe.Data.Sources;

/// <summary>Reads the result of a SQL query against a SQLite database file, read-only. Integer and real
/// values become numbers, text stays text, and NULL is missing; SQLite's per-value typing means a column
/// with mixed numbers and text is kept as text and typed later like a CSV column. Without a query, a database that
/// holds one table (or view) is read whole, as a user who points <c>lathe init</c> at it means; one with several is
/// refused, naming them.</summary>
public sealed class SqliteSource(string path, string? query) : IDataSource
{
    public string Name => path;

    /// <summary>None: the rows the query returns are the fingerprint, not the whole database file.</summary>
    public IReadOnlyList<string> Files => [];

    public Table Read(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString();
        var sql = query;
        ReadNote[] notes = [];
        try
        {
            using var db = new SqliteConnection(connection);
            db.Open();
            if (sql is null)
            {
                var table = OnlyTable(db);
                sql = $"SELECT * FROM {Quoted(table)}";
                notes = [new ReadNote($"no data.query: the database's one table, '{table}', is read whole", $"to read other rows, set data.query (e.g. {sql} WHERE …)")];
            }
            using var command = db.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            return Sql.ReadTable(reader, Path.GetFileName(path), cancellationToken, notes);
        }
        catch (SqliteException e)
        {
            throw new DataException(sql is null
                ? $"{path}: not a SQLite database that can be read — {e.Message}"
                : $"{path}: the query failed — {e.Message} (query: {sql})");
        }
    }

    /// <summary>The database's one table or view; a clear error naming them when there are none or several.</summary>
    private string OnlyTable(SqliteConnection db)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
        var names = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) names.Add(reader.GetString(0));
        return names switch
        {
            [var one] => one,
            [] => throw new DataException($"{path}: the database holds no table — is it the right file?"),
            _ => throw new DataException($"{path}: the database holds {names.Count} tables ({string.Join(", ", names.Take(10).Select(n => $"'{n}'"))}{(names.Count > 10 ? ", …" : "")}): "
                                         + $"say which rows to read with data.query (or --query), e.g. SELECT * FROM {Quoted(names[0])}"),
        };
    }

    /// <summary>A name as SQL writes an identifier: in double quotes, a quote inside doubled.</summary>
    private static string Quoted(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}

/// <summary>Turns any ADO.NET result into columns, for every SQL source.</summary>
internal static class Sql
{
    public static Table ReadTable(DbDataReader reader, string source, CancellationToken cancellationToken, IReadOnlyList<ReadNote>? notes = null)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(i => new ColumnAccumulator(reader.GetName(i))).ToArray();
        var values = new List<object?[]>();
        while (reader.Read())
        {
            if (values.Count % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            values.Add(row);
        }
        for (var c = 0; c < columns.Length; c++)
        {
            // A column is numeric when every present value is a number; otherwise everything is kept as text.
            var numeric = values.All(r => r[c] is null or long or int or short or byte or double or float or decimal or bool);
            foreach (var row in values)
            {
                if (numeric) columns[c].AddNumber(row[c] is null ? null : Convert.ToDouble(row[c], System.Globalization.CultureInfo.InvariantCulture));
                else columns[c].AddText(row[c] switch
                {
                    null => null,
                    DateTime d => d.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                    byte[] => throw new DataException($"{source}: column '{columns[c].Name}' holds binary values, which Lathe does not read from SQL — leave it out of the query"),
                    IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                    var other => other.ToString(),
                });
            }
        }
        return new Table(columns.Select(c => c.ToColumn()).ToArray(), source) { Notes = notes ?? [] };
    }
}
