using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Npgsql;

namespace Lathe.Tests.Data.Sources;

public class PostgresSourceTests
{
    public PostgresSourceTests() => TestDatabase.RequireServer();

    private static IDataSource Open(string query, string? connection = null, string? passwordFile = null) =>
        DataSource.Open(new DataConfig { Connection = connection ?? TestDatabase.Connection, Query = query, PasswordFile = passwordFile });

    private static string With(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestDatabase.Connection);
        change(builder);
        return builder.ConnectionString;
    }

    private static double[] Numbers(Table table, string column) => ((NumericColumn)table[column]).Values;
    private static IEnumerable<string?> Texts(Table table, string column) => ((StringColumn)table[column]).Values;

    [Fact]
    public void Penguins_read_back_from_postgres_are_the_rows_the_json_source_reads()
    {
        using var penguins = TestDatabase.Penguins();
        var json = DataSource.Open(TestData.Vega("penguins.json")).Read();
        var columns = string.Join(", ", json.ColumnNames.Select(n => $"\"{n}\""));

        var table = Open($"SELECT {columns} FROM {penguins.Table} ORDER BY record").Read();

        Assert.Equal(json.ColumnNames, table.ColumnNames);
        Assert.Equal(344, table.RowCount);
        Assert.Equal(TestDatabase.Name, table.Source);
        foreach (var column in json.Columns)
        {
            switch (column)
            {
                case NumericColumn numbers: Assert.Equal(numbers.Values, Numbers(table, column.Name)); break;
                case StringColumn texts: Assert.Equal(texts.Values, Texts(table, column.Name)); break;
            }
        }
        Assert.Equal(10, Texts(table, "Sex").Count(v => v is null));
        Assert.Equal(2, Numbers(table, "Beak Depth (mm)").Count(double.IsNaN));
    }

    [Fact]
    public void Every_number_type_bool_date_timestamp_and_text_type_reads_with_nulls_missing()
    {
        using var typed = TestDatabase.Create("""
            id int, small smallint, big bigint, amount numeric(10, 2), ratio real, score double precision, price money,
            flag boolean, day date, seen timestamp, seen_tz timestamptz, name text, code varchar(8), grade char(3), key uuid
            """);
        typed.Execute($"""
            SET TIME ZONE 'Europe/Berlin';
            INSERT INTO {typed.Table} VALUES
              (1, 2, 9007199254740992, 12.50, 0.5, 0.001, 4.25, true, '2024-02-29', '2024-02-29 13:45:00', '2024-02-29 13:45:00+02', 'Adelie', 'A-1', 'x', '00000000-0000-0000-0000-00000000002a'),
              (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              (3, -32768, -5, -0.25, -2.25, 1e300, -1, false, '1999-12-31', '2000-01-01 00:00:00', '2000-01-01 00:30:00', 'Gentoo penguin', '', 'abc', NULL);
            """);

        var table = Open($"SELECT * FROM {typed.Table} ORDER BY id").Read();

        Assert.Equal([1, 2, 3], Numbers(table, "id"));
        Assert.Equal([2, double.NaN, -32768], Numbers(table, "small"));
        Assert.Equal([9007199254740992, double.NaN, -5], Numbers(table, "big"));
        Assert.Equal([12.5, double.NaN, -0.25], Numbers(table, "amount"));
        Assert.Equal([0.5, double.NaN, -2.25], Numbers(table, "ratio"));
        Assert.Equal([0.001, double.NaN, 1e300], Numbers(table, "score"));
        Assert.Equal([4.25, double.NaN, -1], Numbers(table, "price"));
        Assert.Equal([1, double.NaN, 0], Numbers(table, "flag"));
        // Dates read as the Parquet source reads them: ISO text, the time only when there is one; timestamptz in UTC.
        Assert.Equal(["2024-02-29", null, "1999-12-31"], Texts(table, "day"));
        Assert.Equal(["2024-02-29T13:45:00", null, "2000-01-01"], Texts(table, "seen"));
        Assert.Equal(["2024-02-29T11:45:00", null, "1999-12-31T23:30:00"], Texts(table, "seen_tz"));
        Assert.Equal(["Adelie", null, "Gentoo penguin"], Texts(table, "name"));
        Assert.Equal(["A-1", null, ""], Texts(table, "code"));
        Assert.Equal(["x", null, "abc"], Texts(table, "grade"));
        Assert.Equal(["00000000-0000-0000-0000-00000000002a", null, null], Texts(table, "key"));

        var schema = SchemaInference.Infer(table, "id");
        Assert.Equal(ColumnType.DateTime, schema.Find("day")!.Type);
        Assert.Equal(ColumnType.DateTime, schema.Find("seen_tz")!.Type);
    }

    [Theory]
    [InlineData("ARRAY[1, 2] AS tags", "column 'tags' has type integer[]", "unnest it, or pick an element in the query (tags[1])")]
    [InlineData("'{\"a\": 1}'::jsonb AS payload", "column 'payload' has type jsonb", "payload->>'field'")]
    [InlineData("'ab'::bytea AS \"Raw Bytes\"", "column 'Raw Bytes' has type bytea", "leave it out of the query")]
    [InlineData("'1 day'::interval AS wait", "column 'wait' has type interval", "extract(epoch from wait)")]
    [InlineData("point(1, 2) AS place", "column 'place' has type point", "place::text")]
    public void A_column_of_a_type_lathe_cannot_use_is_named_with_its_type_and_the_fix(string column, string problem, string fix)
    {
        var error = Assert.Throws<DataException>(() => Open($"SELECT 1 AS id, {column}").Read());
        Assert.StartsWith($"{TestDatabase.Name}: {problem}, which Lathe does not read — ", error.Message);
        Assert.Contains(fix, error.Message);
    }

    [Fact]
    public void A_numeric_value_beyond_what_lathe_reads_names_the_row_and_the_cast()
    {
        var error = Assert.Throws<DataException>(() => Open("SELECT x FROM (VALUES (1::numeric), ('NaN'::numeric)) AS v(x)").Read());
        Assert.StartsWith($"{TestDatabase.Name} row 2: column 'x' (numeric) holds a value Lathe cannot read", error.Message);
        Assert.Contains("x::float8", error.Message);
    }

    [Fact]
    public void A_bad_query_is_an_error_with_the_servers_message_and_a_writing_query_changes_nothing()
    {
        using var penguins = TestDatabase.Penguins();
        var missing = Assert.Throws<DataException>(() => Open("SELECT * FROM pingus").Read());
        Assert.StartsWith($"{TestDatabase.Name}: the query failed — relation \"pingus\" does not exist at character 15 of the query", missing.Message);
        Assert.EndsWith("(query: SELECT * FROM pingus)", missing.Message);

        var column = Assert.Throws<DataException>(() => Open($"SELECT \"species\" FROM {penguins.Table}").Read());
        Assert.Contains("column \"species\" does not exist; hint: Perhaps you meant to reference the column", column.Message);
        Assert.Contains("syntax error at or near \"SELEC\"", Assert.Throws<DataException>(() => Open("SELEC 1").Read()).Message);

        var write = Assert.Throws<DataException>(() => Open($"DELETE FROM {penguins.Table} RETURNING *").Read());
        Assert.Contains("cannot execute DELETE in a read-only transaction — Lathe reads in a read-only transaction", write.Message);
        var escape = Assert.Throws<DataException>(() => Open($"COMMIT; DELETE FROM {penguins.Table} RETURNING *").Read());
        Assert.Contains("cannot insert multiple commands into a prepared statement — data.query must be one statement", escape.Message);
        Assert.Equal(344, penguins.Count());

        Assert.Contains("needs data.query", Assert.Throws<DataException>(() => DataSource.Open(new DataConfig { Connection = TestDatabase.Connection })).Message);
    }

    [Fact]
    public void An_unreachable_server_a_refused_login_and_a_missing_database_are_clear_errors_that_never_show_the_password()
    {
        var unreachable = Assert.Throws<DataException>(() => Open("SELECT 1", With(b => { b.Host = "127.0.0.1"; b.Port = 1; })).Read());
        Assert.StartsWith($"postgres://127.0.0.1:1/", unreachable.Message);
        Assert.Contains("cannot reach the server", unreachable.Message);
        Assert.Contains("Connection refused", unreachable.Message);
        Assert.Contains("check that it is running and listening there (Host and Port in data.connection)", unreachable.Message);

        var refused = Assert.Throws<DataException>(() => Open("SELECT 1", With(b => b.Password = "not-the-password")).Read());
        Assert.StartsWith($"{TestDatabase.Name}: the server refused user", refused.Message);
        Assert.Contains("password authentication failed", refused.Message);
        Assert.Contains("data.password_file", refused.Message);
        Assert.DoesNotContain("not-the-password", refused.Message);

        var database = Assert.Throws<DataException>(() => Open("SELECT 1", With(b => b.Database = "lathe_no_such_database")).Read());
        Assert.Contains("database \"lathe_no_such_database\" does not exist — check Database in data.connection", database.Message);
    }

    [Fact]
    public void The_password_can_come_from_a_file_or_from_PGPASSWORD_instead_of_the_connection()
    {
        var password = new NpgsqlConnectionStringBuilder(TestDatabase.Connection).Password!;
        var directory = TestData.TempDirectory();
        var file = Path.Combine(directory, "postgres-password");
        File.WriteAllText(file, password + "\n");
        var withoutPassword = With(b => b.Password = null);

        Assert.Equal([42], Numbers(Open("SELECT 42 AS answer", withoutPassword, file).Read(), "answer"));
        File.WriteAllText(file, "not-the-password\n");
        Assert.Contains("password authentication failed", Assert.Throws<DataException>(() => Open("SELECT 1", withoutPassword, file).Read()).Message);
        Assert.Contains("does not exist — check data.password_file",
            Assert.Throws<DataException>(() => Open("SELECT 1", withoutPassword, file + ".missing")).Message);

        // Npgsql's own fallbacks; an empty password file stands in for a ~/.pgpass this machine may have.
        var emptyPassfile = Path.Combine(directory, "pgpass");
        File.WriteAllText(emptyPassfile, "");
        var saved = (Environment.GetEnvironmentVariable("PGPASSWORD"), Environment.GetEnvironmentVariable("PGPASSFILE"));
        try
        {
            Environment.SetEnvironmentVariable("PGPASSFILE", emptyPassfile);
            Environment.SetEnvironmentVariable("PGPASSWORD", password);
            Assert.Equal([42], Numbers(Open("SELECT 42 AS answer", withoutPassword).Read(), "answer"));
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
            var none = Assert.Throws<DataException>(() => Open("SELECT 1", withoutPassword).Read());
            Assert.Contains("cannot log in as user", none.Message);
            Assert.Contains("No password has been provided", none.Message);
            Assert.Contains("PGPASSWORD", none.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", saved.Item1);
            Environment.SetEnvironmentVariable("PGPASSFILE", saved.Item2);
        }
    }

    [Fact]
    public void The_fingerprint_is_the_rows_the_query_returns()
    {
        using var penguins = TestDatabase.Penguins();
        string Fingerprint(string query)
        {
            var source = Open(query);
            return DataSource.Fingerprint([(source, source.Read())]);
        }
        var all = $"SELECT * FROM {penguins.Table} ORDER BY record";

        var first = Fingerprint(all);
        Assert.StartsWith("sha256:", first);
        Assert.Equal(first, Fingerprint(all));
        Assert.NotEqual(first, Fingerprint($"SELECT * FROM {penguins.Table} WHERE \"Island\" = 'Biscoe' ORDER BY record"));
        Assert.NotEqual(first, Fingerprint($"SELECT * FROM {penguins.Table} ORDER BY record DESC"));
        penguins.Execute($"UPDATE {penguins.Table} SET \"Sex\" = NULL WHERE record = 1");
        Assert.NotEqual(first, Fingerprint(all));
    }
}
