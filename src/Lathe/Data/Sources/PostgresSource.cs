using System.ComponentModel;
using System.Reflection;
using Npgsql;
using Npgsql.PostgresTypes;

namespace Lathe.Data.Sources;

/// <summary>Reads the result of a SQL query from a PostgreSQL server, in a read-only transaction. The server
/// comes from an Npgsql connection string (<c>data.connection</c>); the password from it, from
/// <c>data.password_file</c>, or where Npgsql looks by itself (PGPASSWORD, then ~/.pgpass). Every integer, float,
/// numeric and money type becomes numbers, booleans 0/1, text (and uuid) text, dates and timestamps dates as
/// in Parquet (timestamptz in UTC), and NULL missing; any other type is refused by name before a row is read.</summary>
public sealed class PostgresSource : IDataSource
{
    private readonly NpgsqlConnectionStringBuilder _connection;
    private readonly string _query;

    public PostgresSource(string connection, string query, string? passwordFile = null)
    {
        _connection = Parse(connection);
        _query = query;
        Name = $"postgres://{_connection.Host}:{_connection.Port}/{_connection.Database ?? _connection.Username}";
        if (passwordFile is not null) _connection.Password = ReadPassword(passwordFile);
        // A read is one query; a pooled connection would sit idle on the server for the rest of a training run.
        _connection.Pooling = false;
    }

    /// <summary>The server and database, never the user or password: <c>postgres://host:port/database</c>.</summary>
    public string Name { get; }

    /// <summary>None: a server has no file that stands for a query's result, so its rows are the fingerprint.</summary>
    public IReadOnlyList<string> Files => [];

    public Table Read(CancellationToken cancellationToken = default)
    {
        using var db = Connect();
        try
        {
            // A batch sends each command's SQL as it is, as one statement, so the query cannot end the
            // read-only transaction (COMMIT; DELETE …) and go on writing.
            using var transaction = db.BeginTransaction();
            using var batch = new NpgsqlBatch(db, transaction) { BatchCommands = { new("SET TRANSACTION READ ONLY"), new(_query) } };
            using var cancel = cancellationToken.Register(batch.Cancel);
            using var reader = batch.ExecuteReader();
            return ReadRows(reader, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (PostgresException e)
        {
            var fix = e.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction ? " — Lathe reads in a read-only transaction; the query may only read"
                : e.MessageText.StartsWith("cannot insert multiple commands", StringComparison.Ordinal) ? " — data.query must be one statement"
                : "";
            throw new DataException($"{Name}: the query failed — {Describe(e)}{fix} (query: {_query})");
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException)
        {
            throw new DataException($"{Name}: the query did not finish in {_connection.CommandTimeout} s — raise Command Timeout in data.connection (0 waits as long as it takes)");
        }
        catch (NpgsqlException e)
        {
            throw new DataException($"{Name}: reading the query's result failed — {Describe(e)} (query: {_query})");
        }
    }

    private NpgsqlConnection Connect()
    {
        var db = new NpgsqlConnection(_connection.ConnectionString);
        try
        {
            db.Open();
            return db;
        }
        catch (NpgsqlException e)
        {
            db.Dispose();
            var user = _connection.Username is { } name ? $"user '{name}'" : "the default user";
            const string password = "the password (data.password_file, Password in data.connection, PGPASSWORD or ~/.pgpass)";
            throw new DataException(e switch
            {
                PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
                    $"{Name}: the server refused {user} — {p.MessageText}; check Username in data.connection and {password}",
                PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } p =>
                    $"{Name}: {p.MessageText} — check Database in data.connection",
                PostgresException p => $"{Name}: the server refused the connection — {Describe(p)}",
                { InnerException: System.Net.Sockets.SocketException or TimeoutException } =>
                    $"{Name}: cannot reach the server — {Describe(e)}; check that it is running and listening there (Host and Port in data.connection)",
                _ => $"{Name}: cannot log in as {user} — {Describe(e)}; check {password}",
            });
        }
    }

    private enum Kind { Number, Decimal, Boolean, Text, PaddedText, Uuid, Date, Timestamp }

    private Table ReadRows(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var kinds = new Kind[reader.FieldCount];
        var columns = new ColumnAccumulator[reader.FieldCount];
        for (var c = 0; c < kinds.Length; c++)
        {
            columns[c] = new ColumnAccumulator(reader.GetName(c));
            kinds[c] = KindOf(reader.GetName(c), reader.GetPostgresType(c));
        }
        var row = 0;
        var column = 0;
        try
        {
            for (; reader.Read(); row++)
            {
                if (row % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
                for (column = 0; column < kinds.Length; column++)
                {
                    var values = columns[column];
                    var missing = reader.IsDBNull(column);
                    switch (kinds[column])
                    {
                        case Kind.Number: values.AddNumber(missing ? null : reader.GetDouble(column)); break;
                        case Kind.Decimal: values.AddNumber(missing ? null : (double)reader.GetDecimal(column)); break;
                        case Kind.Boolean: values.AddNumber(missing ? null : reader.GetBoolean(column) ? 1 : 0); break;
                        case Kind.Text: values.AddText(missing ? null : reader.GetString(column)); break;
                        // char(n) pads with spaces that PostgreSQL itself ignores in comparisons.
                        case Kind.PaddedText: values.AddText(missing ? null : reader.GetString(column).TrimEnd(' ')); break;
                        case Kind.Uuid: values.AddText(missing ? null : reader.GetGuid(column).ToString()); break;
                        case Kind.Date: values.AddDate(missing ? null : reader.GetFieldValue<DateOnly>(column).ToDateTime(TimeOnly.MinValue)); break;
                        case Kind.Timestamp: values.AddDate(missing ? null : reader.GetDateTime(column)); break;
                    }
                }
            }
        }
        // numeric NaN, or beyond ±7.9e28, does not fit System.Decimal; a date before year 1 does not fit DateTime.
        catch (Exception e) when (e is InvalidCastException or OverflowException)
        {
            var name = reader.GetName(column);
            throw new DataException($"{Name} row {row + 1}: column '{name}' ({reader.GetPostgresType(column).DisplayName}) holds a value Lathe cannot read ({e.Message}) — " +
                                    $"cast it in the query, e.g. {Identifier(name)}::float8 for a number or {Identifier(name)}::text");
        }
        return new Table(columns.Select(c => c.ToColumn()).ToArray(), Name);
    }

    private Kind KindOf(string column, PostgresType type) => type switch
    {
        PostgresBaseType { InternalName: "int2" or "int4" or "int8" or "float4" or "float8" } => Kind.Number,
        PostgresBaseType { InternalName: "numeric" or "money" } => Kind.Decimal,
        PostgresBaseType { InternalName: "bool" } => Kind.Boolean,
        PostgresBaseType { InternalName: "text" or "varchar" } => Kind.Text,
        PostgresBaseType { InternalName: "bpchar" } => Kind.PaddedText,
        PostgresBaseType { InternalName: "uuid" } => Kind.Uuid,
        PostgresBaseType { InternalName: "date" } => Kind.Date,
        PostgresBaseType { InternalName: "timestamp" or "timestamptz" } => Kind.Timestamp,
        _ => throw Unsupported(column, type),
    };

    private DataException Unsupported(string column, PostgresType type)
    {
        var name = Identifier(column);
        var fix = type switch
        {
            PostgresArrayType => $"unnest it, or pick an element in the query ({name}[1])",
            { InternalName: "json" or "jsonb" } => $"pick fields out of it in the query ({name}->>'field', with ::float8 for numbers)",
            { InternalName: "bytea" } => "leave it out of the query",
            { InternalName: "interval" or "time" or "timetz" } => $"make it a number in the query (extract(epoch from {name}) gives seconds)",
            _ => $"cast it in the query, to text ({name}::text) or to a number ({name}::float8)",
        };
        return new DataException($"{Name}: column '{column}' has type {type.DisplayName}, which Lathe does not read — {fix}");
    }

    /// <summary>A column name as it must be written in SQL: bare when PostgreSQL would keep it as it is, else quoted.</summary>
    private static string Identifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string Describe(NpgsqlException e) => e switch
    {
        PostgresException p => p.MessageText + (p.Detail is { } detail ? $" ({detail})" : "") + (p.Hint is { } hint ? $"; hint: {hint}" : "")
                               + (p.Position > 0 ? $" at character {p.Position} of the query" : ""),
        { InnerException: { } inner } when inner.Message != e.Message => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    private static string ReadPassword(string file)
    {
        if (!File.Exists(file)) throw new DataException($"password file '{file}' does not exist — check data.password_file");
        var password = File.ReadLines(file).FirstOrDefault() ?? "";
        return password.Length > 0 ? password : throw new DataException($"password file '{file}' is empty — its first line must be the password");
    }

    /// <summary>The connection string as Npgsql reads it; an unknown keyword is named with the nearest known one.</summary>
    internal static NpgsqlConnectionStringBuilder Parse(string connection)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new DataException(Problem(connection) ?? $"the connection string has a value Npgsql cannot read ({e.Message})");
        }
        return string.IsNullOrWhiteSpace(builder.Host)
            ? throw new DataException("the connection string names no Host — e.g. Host=localhost;Database=shop;Username=lathe")
            : builder;
    }

    private static string? Problem(string connection)
    {
        var generic = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            generic.ConnectionString = connection;
        }
        catch (ArgumentException)
        {
            return "not a connection string — write Npgsql keywords, e.g. Host=db.example.com;Port=5432;Database=shop;Username=lathe (postgres:// URLs are not read)";
        }
        var npgsql = new NpgsqlConnectionStringBuilder();
        var unknown = generic.Keys.Cast<string>().FirstOrDefault(key => !npgsql.ContainsKey(key));
        if (unknown is null) return null;
        // The parser lower-cases keywords; name it as the user wrote it.
        unknown = connection.Substring(connection.IndexOf(unknown, StringComparison.OrdinalIgnoreCase), unknown.Length);
        var nearest = Config.ConfigNames.Nearest(unknown, Keywords.Value);
        return $"unknown keyword '{unknown}' in the connection string" + (nearest is null ? " — see Npgsql's connection string keywords" : $" — did you mean '{nearest}'?");
    }

    private static readonly Lazy<string[]> Keywords = new(() => typeof(NpgsqlConnectionStringBuilder).GetProperties()
        .Select(p => p.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName).OfType<string>().ToArray());

    /// <summary>The connection string with any password removed, as a run's config and bundle record it.</summary>
    public static string WithoutPassword(string connection)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connection) { Password = null, SslPassword = null }.ConnectionString;
        }
        catch (ArgumentException)
        {
            // Unreadable, so it may hide a password anywhere; a config that holds it is refused before anything is written.
            return "";
        }
    }
}
