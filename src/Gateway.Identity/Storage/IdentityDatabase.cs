using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Identity.Storage;

/// <summary>Creates the identity database owner-only and with its schema, and says how EF Core connects to it.</summary>
public static class IdentityDatabase
{
    /// <summary>The schema version this code writes (SQLite <c>user_version</c>).</summary>
    public const int SchemaVersion = 1;

    /// <summary>The connection string of the database at <paramref name="path"/> (shared cache off, foreign keys on).</summary>
    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        ForeignKeys = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Configures EF Core for the database at <paramref name="path"/>.</summary>
    public static void Configure(DbContextOptionsBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSqlite(ConnectionString(path));
        builder.UseOpenIddict();
    }

    /// <summary>
    /// Creates the directory (0700) and the database file (0600) when missing, its schema when empty, and turns on WAL with
    /// full fsync (a committed account or token survives a crash).
    /// </summary>
    /// <exception cref="InvalidOperationException">The file holds another schema version.</exception>
    public static void EnsureCreated(IdentityPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        OwnerOnlyFiles.EnsureDirectory(paths.Directory);
        OwnerOnlyFiles.EnsureFile(paths.Database);
        var builder = new DbContextOptionsBuilder<IdentityDbContext>();
        Configure(builder, paths.Database);
        using var context = new IdentityDbContext(builder.Options);
        context.Database.OpenConnection();
        try
        {
            long version = Scalar(context, "PRAGMA user_version;");
            if (version == 0)
            {
                context.Database.EnsureCreated();
                context.Database.ExecuteSqlRaw($"PRAGMA user_version = {SchemaVersion};");
            }
            else if (version != SchemaVersion)
            {
                throw new InvalidOperationException($"identity database {paths.Database} has schema version {version}; this gateway reads version {SchemaVersion}");
            }

            _ = Scalar(context, "PRAGMA journal_mode = WAL;");
            context.Database.ExecuteSqlRaw("PRAGMA synchronous = FULL;");
        }
        finally
        {
            context.Database.CloseConnection();
        }
    }

    private static long Scalar(IdentityDbContext context, string sql)
    {
        using System.Data.Common.DbCommand command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        object? value = command.ExecuteScalar();
        return value is long l ? l : value is string ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
