namespace Gateway.Identity.Clients;

/// <summary>A registered client application, as <c>identity client list</c> shows it (never the secret).</summary>
/// <param name="ClientId">The OAuth2 client id (the policy's <c>client-id</c>).</param>
/// <param name="Kind">Service (client credentials) or interactive (authorization code with PKCE).</param>
/// <param name="Confidential">Whether it authenticates with a secret.</param>
/// <param name="Roles">The policy roles its tokens carry.</param>
/// <param name="RedirectUris">Where an interactive client receives codes.</param>
/// <param name="DisplayName">A description, if any.</param>
public sealed record ClientInfo(string ClientId, ClientKind Kind, bool Confidential, IReadOnlyList<string> Roles, IReadOnlyList<Uri> RedirectUris, string? DisplayName);
