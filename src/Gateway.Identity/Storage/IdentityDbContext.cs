using Microsoft.EntityFrameworkCore;

namespace Gateway.Identity.Storage;

/// <summary>
/// The identity database (SQLite in DATA/identity/identity.db): OpenIddict's applications (clients, secrets hashed),
/// authorizations, scopes and tokens, and the local <see cref="UserAccount"/>s.
/// </summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    /// <summary>The local accounts.</summary>
    public DbSet<UserAccount> Users => Set<UserAccount>();

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<UserAccount>(user =>
        {
            user.ToTable("GatewayUsers");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasMaxLength(IdentityNames.MaxLength);
            user.Property(u => u.PasswordHash).HasMaxLength(256);
            user.Property(u => u.Roles).HasMaxLength(4096);
        });
    }
}
