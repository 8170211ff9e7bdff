using Lathe.Data;
using Lathe.Data.Sources;
using Npgsql;
using NpgsqlTypes;

namespace Lathe.Tests;

/// <summary>A table in the PostgreSQL test database that lives as long as a test: created under a fresh name,
/// dropped on Dispose. The server is the one scripts/setup.sh starts; LATHE_TEST_POSTGRES overrides where to
/// connect. An unreachable server fails the test with that instruction, never skips it.</summary>
public sealed class TestDatabase : IDisposable
{
    public const string DefaultConnection = "Host=localhost;Port=5432;Database=lathe_test;Username=lathe;Password=lathe";

    /// <summary>The test database's connection string, password included.</summary>
    public static string Connection { get; } =
        Environment.GetEnvironmentVariable("LATHE_TEST_POSTGRES") is { Length: > 0 } connection ? connection : DefaultConnection;

    /// <summary>How <see cref="PostgresSource.Name"/> names the test database.</summary>
    public static string Name
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(Connection);
            return $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    // Asked once per test run, and every PostgreSQL test reads the answer, so one slow connect must not fail them all:
    // on a loaded machine (the suite's parallel tests beside other work) a connect to the local server timed out once
    // after Npgsql's 15 s, and all fifteen tests failed with it. Three tries, a second apart.
    private static readonly Lazy<string?> Unreachable = new(() =>
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var db = Open();
                return null;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                Thread.Sleep(1000);
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        }
    });

    /// <summary>Fails the calling test, saying to run scripts/setup.sh, when the test server cannot be reached.</summary>
    public static void RequireServer()
    {
        if (Unreachable.Value is { } message) throw new InvalidOperationException(message);
    }

    public string Table { get; }

    private TestDatabase(string columns)
    {
        Table = "lathe_" + Guid.NewGuid().ToString("N")[..12];
        Execute($"CREATE TABLE {Table} ({columns})");
    }

    /// <summary>A fresh table with the given column definitions, e.g. "id int, name text".</summary>
    public static TestDatabase Create(string columns) => new(columns);

    /// <summary>The penguins table as the JSON source reads it, with a 'record' column (1, 2, …) to order by.
    /// Types vary on purpose: float8, numeric, int, bigint, text and varchar.</summary>
    public static TestDatabase Penguins()
    {
        var penguins = DataSource.Open(TestData.Vega("penguins.json")).Read();
        var database = Create("""
            record int, "Species" text, "Island" text, "Beak Length (mm)" float8, "Beak Depth (mm)" numeric(4, 1),
            "Flipper Length (mm)" int, "Body Mass (g)" bigint, "Sex" varchar(10)
            """);
        using var db = Open();
        using var copy = db.BeginBinaryImport($"""COPY {database.Table} FROM STDIN (FORMAT BINARY)""");
        for (var i = 0; i < penguins.RowCount; i++)
        {
            copy.StartRow();
            copy.Write(i + 1, NpgsqlDbType.Integer);
            foreach (var column in penguins.Columns)
            {
                if (column.IsMissing(i)) copy.WriteNull();
                else if (column is StringColumn text) copy.Write(text.Values[i], NpgsqlDbType.Text);
                else
                {
                    var value = ((NumericColumn)column).Values[i];
                    switch (column.Name)
                    {
                        case "Beak Depth (mm)": copy.Write((decimal)value, NpgsqlDbType.Numeric); break;
                        case "Flipper Length (mm)": copy.Write((int)value, NpgsqlDbType.Integer); break;
                        case "Body Mass (g)": copy.Write((long)value, NpgsqlDbType.Bigint); break;
                        default: copy.Write(value, NpgsqlDbType.Double); break;
                    }
                }
            }
        }
        copy.Complete();
        return database;
    }

    public void Execute(string sql)
    {
        using var db = Open();
        using var command = new NpgsqlCommand(sql, db);
        command.ExecuteNonQuery();
    }

    public long Count()
    {
        using var db = Open();
        using var command = new NpgsqlCommand($"SELECT count(*) FROM {Table}", db);
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => Execute($"DROP TABLE IF EXISTS {Table}");

    public static NpgsqlConnection Open()
    {
        var db = new NpgsqlConnection(Connection);
        try
        {
            db.Open();
            return db;
        }
        catch (NpgsqlException e)
        {
            db.Dispose();
            throw new InvalidOperationException($"the test PostgreSQL database ({Name}) cannot be reached — run scripts/setup.sh, which installs and starts " +
                                                $"PostgreSQL, or set LATHE_TEST_POSTGRES to a connection string ({e.Message})", e);
        }
    }
}
