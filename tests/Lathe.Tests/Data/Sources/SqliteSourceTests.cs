using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Training;
using Microsoft.Data.Sqlite;

namespace Lathe.Tests.Data.Sources;

public class SqliteSourceTests
{
    /// <summary>The penguins table loaded into a real SQLite database file.</summary>
    internal static string PenguinsDatabase()
    {
        var path = Path.Combine(TestData.TempDirectory(), "penguins.db");
        var penguins = DataSource.Open(TestData.Vega("penguins.json")).Read();
        using var db = new SqliteConnection($"Data Source={path}");
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TABLE penguins (species TEXT, island TEXT, beak_length REAL, body_mass INTEGER, sex TEXT)";
            create.ExecuteNonQuery();
        }
        using var transaction = db.BeginTransaction();
        for (var i = 0; i < penguins.RowCount; i++)
        {
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO penguins VALUES ($s, $i, $b, $m, $x)";
            insert.Parameters.AddWithValue("$s", ((StringColumn)penguins["Species"]).Values[i]);
            insert.Parameters.AddWithValue("$i", ((StringColumn)penguins["Island"]).Values[i]);
            var beak = ((NumericColumn)penguins["Beak Length (mm)"]).Values[i];
            var mass = ((NumericColumn)penguins["Body Mass (g)"]).Values[i];
            insert.Parameters.AddWithValue("$b", double.IsNaN(beak) ? DBNull.Value : beak);
            insert.Parameters.AddWithValue("$m", double.IsNaN(mass) ? DBNull.Value : (long)mass);
            insert.Parameters.AddWithValue("$x", (object?)((StringColumn)penguins["Sex"]).Values[i] ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return path;
    }

    [Fact]
    public void A_query_result_becomes_a_table_with_numbers_text_and_missing_values()
    {
        var table = DataSource.Open(PenguinsDatabase(), query: "SELECT species, beak_length, body_mass, sex FROM penguins WHERE island = 'Biscoe'").Read();
        Assert.Equal(["species", "beak_length", "body_mass", "sex"], table.ColumnNames);
        Assert.Equal(168, table.RowCount);
        Assert.Contains(((NumericColumn)table["body_mass"]).Values, double.IsNaN);
        Assert.Equal(["Adelie", "Gentoo"], ((StringColumn)table["species"]).Values.Distinct().Order());
    }

    [Fact]
    public void Training_reads_from_the_database_and_a_bad_query_is_a_clear_error()
    {
        var database = PenguinsDatabase();
        var config = TestData.Penguins() with { Target = "species", Data = new DataConfig { Path = database, Query = "SELECT * FROM penguins" } };
        Assert.True(TrainingRun.Run(config, TestData.TempDirectory()).Metrics.Test["accuracy"] >= 0.9);
        var error = Assert.Throws<DataException>(() => DataSource.Open(database, query: "SELECT * FROM pingus").Read());
        Assert.Contains("the query failed", error.Message);
        Assert.Contains("no such table: pingus", error.Message);
    }

    [Fact]
    public void Without_a_query_the_one_table_is_read_and_several_are_named()
    {
        var database = PenguinsDatabase();
        var whole = DataSource.Open(database).Read();
        Assert.Equal(DataSource.Open(database, query: "SELECT * FROM penguins").Read().RowCount, whole.RowCount);
        Assert.Equal(["species", "island", "beak_length", "body_mass", "sex"], whole.ColumnNames);
        Assert.Contains("the database's one table, 'penguins', is read whole", Assert.Single(whole.Notes).Problem);

        // lathe init on the file alone writes a config that trains from it.
        var directory = TestData.TempDirectory();
        var setup = InitialConfig.For(database, "species", directory);
        Assert.Null(setup.Config.Data.Query);
        Assert.Equal(whole.RowCount, setup.Rows);

        using (var db = new SqliteConnection($"Data Source={database}"))
        {
            db.Open();
            using var create = db.CreateCommand();
            create.CommandText = "CREATE TABLE \"island notes\" (island TEXT, note TEXT); CREATE VIEW biscoe AS SELECT * FROM penguins WHERE island = 'Biscoe'";
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        var error = Assert.Throws<DataException>(() => DataSource.Open(database).Read()).Message;
        Assert.Contains("the database holds 3 tables ('biscoe', 'island notes', 'penguins')", error);
        Assert.Contains("data.query (or --query), e.g. SELECT * FROM \"biscoe\"", error);
        // --query picks the rows, and the config keeps it.
        var chosen = InitialConfig.For(database, "species", directory, query: "SELECT * FROM biscoe");
        Assert.Equal("SELECT * FROM biscoe", chosen.Config.Data.Query);
        Assert.Equal(168, chosen.Rows);

        var empty = Path.Combine(TestData.TempDirectory(), "empty.db");
        using (var db = new SqliteConnection($"Data Source={empty}")) { db.Open(); using var c = db.CreateCommand(); c.CommandText = "PRAGMA user_version = 1"; c.ExecuteNonQuery(); }
        SqliteConnection.ClearAllPools();
        Assert.Contains("the database holds no table", Assert.Throws<DataException>(() => DataSource.Open(empty).Read()).Message);
    }

    [Fact]
    public void The_fingerprint_is_the_rows_the_query_returns_not_the_database_file()
    {
        var database = PenguinsDatabase();
        string Fingerprint(string query)
        {
            var source = DataSource.Open(database, query: query);
            return DataSource.Fingerprint([(source, source.Read())]);
        }
        Assert.Equal(Fingerprint("SELECT * FROM penguins"), Fingerprint("SELECT * FROM penguins"));
        Assert.NotEqual(Fingerprint("SELECT * FROM penguins"), Fingerprint("SELECT * FROM penguins WHERE island = 'Biscoe'"));
    }
}
