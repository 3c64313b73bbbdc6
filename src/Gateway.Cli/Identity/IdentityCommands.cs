using System.CommandLine;
using System.Globalization;
using System.Text;
using Gateway.Identity;
using Gateway.Identity.Accounts;
using Gateway.Identity.Clients;
using Gateway.Identity.Keys;
using Gateway.Policy.Model;

namespace Gateway.Cli.Identity;

/// <summary>
/// <c>gatewayctl identity client add|list|remove|rotate-secret</c>, <c>identity user add|list|disable|enable|set-password</c>
/// and <c>identity rotate-signing-key</c>: the token server's clients, local accounts and signing keys, offline on the
/// data directory (DATA/identity). They work beside a running gateway: SQLite locks, and the gateway picks up a rotated
/// key within its refresh interval.
/// </summary>
/// <remarks>
/// Roles are the policy's: each role named must be defined in <c>--policy</c> (default <c>policies</c>); a client's roles
/// default to those the policy binds to its client id, a user's to those of its <c>users:</c> entry. Passwords are never
/// taken from the command line: <c>--password-stdin</c> reads one line from standard input, otherwise the terminal is
/// asked twice without echo. A client secret is printed once, at creation or rotation; only its hash is stored.
/// Exit codes: 0 success, 1 usage, 2 bad input (invalid name or role, no such client or user, unreadable policy or data).
/// </remarks>
internal static class IdentityCommands
{
    private const int MaxPasswordChars = 1024;

    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var identity = new Command("identity", "The token server's clients, local accounts and signing keys.");
        var client = new Command("client", "OAuth2 client applications: services (client credentials) and interactive applications (authorization code with PKCE).");
        client.Subcommands.Add(CreateClientAdd(stdout, stderr));
        client.Subcommands.Add(CreateClientList(stdout, stderr));
        client.Subcommands.Add(CreateClientRemove(stdout, stderr));
        client.Subcommands.Add(CreateClientRotateSecret(stdout, stderr));
        var user = new Command("user", "Local accounts of people who log in at the login page or with username and passcode over DIMSE.");
        user.Subcommands.Add(CreateUserAdd(stdin, stdout, stderr));
        user.Subcommands.Add(CreateUserList(stdout, stderr));
        user.Subcommands.Add(CreateUserSetDisabled(stdout, stderr, disable: true));
        user.Subcommands.Add(CreateUserSetDisabled(stdout, stderr, disable: false));
        user.Subcommands.Add(CreateUserSetPassword(stdin, stdout, stderr));
        identity.Subcommands.Add(client);
        identity.Subcommands.Add(user);
        identity.Subcommands.Add(CreateRotateSigningKey(stdout, stderr));
        return identity;
    }

    private static Command CreateClientAdd(TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var clientId = new Argument<string>("client-id") { Description = "The client id (the policy's client-id)." };
        var kind = new Option<string>("--kind") { Description = "service (client credentials, e.g. an AI service) or interactive (people log in through it, e.g. a viewer).", Required = true };
        kind.AcceptOnlyFromAmong("service", "interactive");
        var isPublic = new Option<bool>("--public") { Description = "Interactive only: a public client (browser application without a secret; PKCE protects its codes)." };
        var redirects = new Option<string[]>("--redirect-uri") { Description = "Interactive only: an exact redirect URI (https, or http on loopback); repeat for several.", AllowMultipleArgumentsPerToken = false };
        var roles = new Option<string[]>("--role") { Description = "A policy role its tokens carry; repeat for several (default: the roles the policy binds to the client id)." };
        var displayName = new Option<string?>("--display-name") { Description = "A description for operators." };
        var command = new Command("add", "Register a client. A confidential client's secret is printed once.") { clientId, kind, isPublic, redirects, roles, displayName };
        options.AddData(command);
        options.AddPolicy(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string id = result.GetValue(clientId)!;
            PolicyModel? policy = options.LoadPolicy(result);
            ClientDefinition? bound = policy?.Clients.FirstOrDefault(c => c.ClientId == id);
            IReadOnlyList<string> chosen = ChooseRoles(result.GetValue(roles), bound?.Roles, policy);
            var uris = new List<Uri>();
            foreach (string text in result.GetValue(redirects) ?? [])
            {
                uris.Add(Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ? uri : throw new CliInputException($"redirect URI '{text}' is not an absolute URL"));
            }

            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            if (await admin.Users.ExistsAsync(id, ct).ConfigureAwait(false))
            {
                throw new CliInputException($"a user is named {id}: a client id must differ from every user id");
            }

            var registration = new ClientRegistration
            {
                ClientId = id,
                Kind = result.GetValue(kind) == "service" ? ClientKind.Service : ClientKind.Interactive,
                Confidential = !result.GetValue(isPublic),
                RedirectUris = uris,
                Roles = chosen,
                DisplayName = result.GetValue(displayName),
            };
            string? secret = await admin.WithClientsAsync(c => c.AddAsync(registration, ct)).ConfigureAwait(false);
            await stdout.WriteLineAsync($"added client {id} ({(registration.Kind == ClientKind.Service ? "service" : "interactive")}, {(registration.Confidential ? "confidential" : "public")}), roles: {Roles(chosen)}").ConfigureAwait(false);
            if (policy is not null && bound is null)
            {
                await stderr.WriteLineAsync($"warning: the policy has no client with client-id {id}: its requests are denied (unknown-client) until one is added").ConfigureAwait(false);
            }

            if (secret is not null)
            {
                await stdout.WriteLineAsync("secret: " + secret).ConfigureAwait(false);
                await stdout.WriteLineAsync("The secret is shown only now; the gateway keeps only its hash. 'identity client rotate-secret' makes a new one.").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateClientList(TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var command = new Command("list", "List the clients (never their secrets).");
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            IReadOnlyList<ClientInfo> clients = await admin.WithClientsAsync(c => c.ListAsync(ct)).ConfigureAwait(false);
            await stdout.WriteLineAsync($"{"CLIENT",-24} {"KIND",-12} {"TYPE",-13} ROLES / REDIRECT URIS").ConfigureAwait(false);
            foreach (ClientInfo client in clients)
            {
                string redirects = client.RedirectUris.Count == 0 ? string.Empty : " / " + string.Join(' ', client.RedirectUris.Select(u => u.AbsoluteUri));
                await stdout.WriteLineAsync($"{client.ClientId,-24} {(client.Kind == ClientKind.Service ? "service" : "interactive"),-12} {(client.Confidential ? "confidential" : "public"),-13} {Roles(client.Roles)}{redirects}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{clients.Count} client(s)")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateClientRemove(TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var clientId = new Argument<string>("client-id") { Description = "The client to remove." };
        var command = new Command("remove", "Remove a client; tokens it already holds expire on their own (at most the access token lifetime).") { clientId };
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string id = result.GetValue(clientId)!;
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            if (!await admin.WithClientsAsync(c => c.RemoveAsync(id, ct)).ConfigureAwait(false))
            {
                throw new CliInputException($"no client {id}");
            }

            await stdout.WriteLineAsync($"removed client {id}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateClientRotateSecret(TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var clientId = new Argument<string>("client-id") { Description = "The confidential client." };
        var command = new Command("rotate-secret", "Replace a confidential client's secret; the old one stops working at once. The new secret is printed once.") { clientId };
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string id = result.GetValue(clientId)!;
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            string secret = await admin.WithClientsAsync(c => c.RotateSecretAsync(id, ct)).ConfigureAwait(false) ?? throw new CliInputException($"no client {id}");
            await stdout.WriteLineAsync($"new secret of client {id}: {secret}").ConfigureAwait(false);
            await stdout.WriteLineAsync("The secret is shown only now; the gateway keeps only its hash.").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateUserAdd(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var userId = new Argument<string>("user-id") { Description = "The user id (the policy's users: id), lower case." };
        var roles = new Option<string[]>("--role") { Description = "A policy role; repeat for several (default: the roles of the user's users: entry in the policy)." };
        var passwordStdin = PasswordStdinOption();
        var command = new Command("add", "Create a local account. The password is read from standard input (--password-stdin) or asked for, never taken from the command line.") { userId, roles, passwordStdin };
        options.AddData(command);
        options.AddPolicy(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string id = result.GetValue(userId)!;
            PolicyModel? policy = options.LoadPolicy(result);
            UserDefinition? bound = policy?.Users.FirstOrDefault(u => u.Id == id);
            IReadOnlyList<string> chosen = ChooseRoles(result.GetValue(roles), bound?.Roles, policy);
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            if (await admin.WithClientsAsync(c => c.FindAsync(id, ct)).ConfigureAwait(false) is not null)
            {
                throw new CliInputException($"a client is named {id}: a user id must differ from every client id");
            }

            string password = await ReadPasswordAsync(result.GetValue(passwordStdin), stdin, stderr).ConfigureAwait(false);
            await admin.Users.CreateAsync(id, password, chosen, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"added user {id}, roles: {Roles(chosen)}").ConfigureAwait(false);
            if (policy is not null && bound is null && !chosen.Any(r => policy.FindRole(r)?.TokenClaim == true))
            {
                await stderr.WriteLineAsync($"warning: the policy binds no roles to user {id} (users:) and none of its roles is accepted from tokens (token-claim): its requests are denied until the policy names it").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateUserList(TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var command = new Command("list", "List the local accounts: roles, state, last login (never a password or hash).");
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            IReadOnlyList<UserAccountInfo> users = await admin.Users.ListAsync(ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"{"USER",-24} {"STATE",-28} {"LAST LOGIN (UTC)",-20} ROLES").ConfigureAwait(false);
            foreach (UserAccountInfo user in users)
            {
                string state = user.Disabled ? "disabled" : user.LockedUntil is { } locked ? "locked until " + Time(locked) : "active";
                await stdout.WriteLineAsync($"{user.Id,-24} {state,-28} {(user.LastLoginAt is { } last ? Time(last) : "never"),-20} {Roles(user.Roles)}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{users.Count} user(s)")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateUserSetDisabled(TextWriter stdout, TextWriter stderr, bool disable)
    {
        var options = new IdentityCommandOptions();
        var userId = new Argument<string>("user-id") { Description = "The account." };
        var command = new Command(
            disable ? "disable" : "enable",
            disable ? "Disable an account: no more logins or tokens; tokens already issued expire on their own." : "Enable a disabled account again.")
        {
            userId,
        };
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string id = result.GetValue(userId)!;
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            if (!await admin.Users.SetDisabledAsync(id, disable, ct).ConfigureAwait(false))
            {
                throw new CliInputException($"no user {id}");
            }

            await stdout.WriteLineAsync($"{(disable ? "disabled" : "enabled")} user {id}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateUserSetPassword(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var userId = new Argument<string>("user-id") { Description = "The account." };
        var passwordStdin = PasswordStdinOption();
        var command = new Command("set-password", "Set a new password (from standard input or asked for) and lift any lockout.") { userId, passwordStdin };
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string id = result.GetValue(userId)!;
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result));
            if (!await admin.Users.ExistsAsync(id, ct).ConfigureAwait(false))
            {
                throw new CliInputException($"no user {id}");
            }

            string password = await ReadPasswordAsync(result.GetValue(passwordStdin), stdin, stderr).ConfigureAwait(false);
            _ = await admin.Users.SetPasswordAsync(id, password, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"set the password of user {id}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateRotateSigningKey(TextWriter stdout, TextWriter stderr)
    {
        var options = new IdentityCommandOptions();
        var keySize = new Option<int>("--key-size") { Description = "RSA key size of the new key: 2048, 3072 (default) or 4096.", DefaultValueFactory = _ => 3072 };
        keySize.AcceptOnlyFromAmong("2048", "3072", "4096");
        var command = new Command(
            "rotate-signing-key",
            "Create a new token signing key. It signs from now on (a running gateway switches within 30 seconds); the previous key stays published in the JWKS until every token it signed has expired. Key files retired over a day ago are deleted.")
        {
            keySize,
        };
        options.AddData(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            await using IdentityAdmin admin = IdentityAdmin.Open(options.DataDirectory(result), new GatewayIdentityOptions { EnableLocalServer = false, SigningKeySize = result.GetValue(keySize) });
            SigningKeyRing ring = admin.OpenKeys();
            string previous = ring.Snapshot.Current.KeyId;
            (SigningKey key, IReadOnlyList<string> deleted) = ring.Rotate();
            await stdout.WriteLineAsync($"new signing key {key.KeyId} ({key.Key.KeySize} bits), created {Time(key.CreatedAt)} UTC; previous key {previous} stays published until its tokens expire").ConfigureAwait(false);
            await stdout.WriteLineAsync(deleted.Count == 0 ? "deleted: none" : "deleted retired key file(s): " + string.Join(", ", deleted)).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Option<bool> PasswordStdinOption() => new("--password-stdin")
    {
        Description = "Read the password from the first line of standard input (for scripts); otherwise the terminal is asked.",
    };

    private static IReadOnlyList<string> ChooseRoles(string[]? given, IReadOnlyList<string>? bound, PolicyModel? policy)
    {
        IReadOnlyList<string> roles = given is { Length: > 0 } ? given : bound ?? [];
        if (policy is not null && roles.FirstOrDefault(r => policy.FindRole(r) is null) is { } unknown)
        {
            throw new CliInputException($"role {unknown} is not defined in the policy (roles: {string.Join(", ", policy.Roles.Select(r => r.Name))})");
        }

        return roles;
    }

    private static async Task<string> ReadPasswordAsync(bool fromStdin, TextReader stdin, TextWriter stderr)
    {
        if (fromStdin)
        {
            string line = await ReadBoundedLineAsync(stdin).ConfigureAwait(false);
            return line.Length > 0 ? line : throw new CliInputException("no password on standard input");
        }

        if (Console.IsInputRedirected)
        {
            throw new CliInputException("standard input is not a terminal: pass --password-stdin to read the password from it");
        }

        string first = Prompt("Password: ", stderr);
        string second = Prompt("Password again: ", stderr);
        return first == second ? first : throw new CliInputException("the two passwords differ");
    }

    private static async Task<string> ReadBoundedLineAsync(TextReader reader)
    {
        var line = new StringBuilder();
        char[] one = new char[1];
        while (await reader.ReadAsync(one.AsMemory()).ConfigureAwait(false) == 1 && one[0] != '\n')
        {
            if (line.Length >= MaxPasswordChars)
            {
                throw new CliInputException($"a password has at most {MaxPasswordChars} characters");
            }

            line.Append(one[0]);
        }

        return line.ToString().TrimEnd('\r');
    }

    // Reads a line from the terminal without echoing it.
    private static string Prompt(string question, TextWriter stderr)
    {
        stderr.Write(question);
        stderr.Flush();
        var text = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar) && text.Length < MaxPasswordChars)
            {
                text.Append(key.KeyChar);
            }
        }

        stderr.WriteLine();
        return text.ToString();
    }

    private static string Roles(IReadOnlyList<string> roles) => roles.Count == 0 ? "(none)" : string.Join(", ", roles);

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static async Task<int> RunGuardedAsync(TextWriter stderr, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CliInputException or ArgumentException or InvalidOperationException or InvalidDataException
            or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message.ReplaceLineEndings(" ")).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }
}
