namespace Gateway.Identity;

/// <summary>Rules for user ids, client ids and role names, shared by the commands and the server.</summary>
public static class IdentityNames
{
    /// <summary>The longest user id, client id or role name.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Whether <paramref name="name"/> is a valid user or client id: 1-64 characters of <c>a-z 0-9 . _ - @</c>, starting with
    /// a letter or digit (the policy's ids are written the same way; lower case so that a login cannot differ by case).
    /// </summary>
    public static bool IsValidId(string? name) =>
        name is { Length: > 0 and <= MaxLength } && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '@');

    /// <summary>Whether <paramref name="role"/> is a valid policy role name (1-64 of <c>a-z 0-9 . _ -</c>, starting with a letter or digit).</summary>
    public static bool IsValidRole(string? role) =>
        role is { Length: > 0 and <= MaxLength } && (char.IsAsciiLetterLower(role[0]) || char.IsAsciiDigit(role[0]))
        && role.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');

    /// <summary>Splits a stored space-separated role list.</summary>
    public static IReadOnlyList<string> SplitRoles(string? roles) =>
        string.IsNullOrEmpty(roles) ? [] : roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
