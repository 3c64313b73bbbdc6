using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using Gateway.Host.Policy;
using Gateway.Policy;
using Gateway.Policy.Analysis;
using Gateway.Policy.Loading;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gateway.Host.Admin.Pages;

/// <summary>
/// The security team's page: the flows the gateway has seen against the policy in force, denied attempts, lint
/// findings, <c>explain</c> for a request, and a candidate policy's diff and simulation against the recorded traffic.
/// </summary>
[AdminOperation(PolicyOperation.PolicyRead)]
[RequestSizeLimit(MaxCandidateBytes + FormOverheadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxCandidateBytes + FormOverheadBytes, ValueCountLimit = 64)]
public sealed class SecurityModel(GatewayPolicy policy, PolicyTraffic traffic) : PageModel
{
    /// <summary>Bytes a candidate policy upload may have in all.</summary>
    public const long MaxCandidateBytes = 1024 * 1024;

    /// <summary>Files a candidate policy may have.</summary>
    public const int MaxCandidateFiles = 32;

    // Multipart boundaries, part headers and the form's other fields: a request larger than the candidate limit and
    // this is refused by Kestrel (413) before it is read, not buffered and then checked.
    private const long FormOverheadBytes = 64 * 1024;

    /// <summary>The policy in force.</summary>
    public GatewayPolicy Policy => policy;

    /// <summary>Flows seen since start.</summary>
    public IReadOnlyList<ObservedFlow> Flows { get; private set; } = [];

    /// <summary>New flows not counted (the table's bound).</summary>
    public long DroppedFlows => traffic.DroppedFlows;

    /// <summary>Lint findings of the policy in force.</summary>
    public IReadOnlyList<PolicyDiagnostic> Lint { get; private set; } = [];

    /// <summary>The explain form.</summary>
    [BindProperty]
    public ExplainForm Explain { get; set; } = new();

    /// <summary>The explanation, after one was asked for.</summary>
    public string? Explanation { get; private set; }

    /// <summary>The candidate policy's files.</summary>
    [BindProperty]
    public List<IFormFile> Candidate { get; set; } = [];

    /// <summary>The candidate's load errors, diff and simulation, after an upload.</summary>
    public CandidateResult? CandidateOutcome { get; private set; }

    /// <summary>What went wrong, for the page.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the page.</summary>
    public void OnGet() => Load();

    /// <summary>Explains how the policy in force decides a request.</summary>
    public IActionResult OnPostExplain()
    {
        Load();
        if (!ModelState.IsValid)
        {
            Error = "Check the request: " + string.Join("; ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
            return Page();
        }

        if (!PolicyOperations.TryParse(Explain.Operation, out PolicyOperation operation))
        {
            Error = "Unknown operation: " + Explain.Operation;
            return Page();
        }

        IPAddress? address = null;
        if (!string.IsNullOrWhiteSpace(Explain.Address) && !IPAddress.TryParse(Explain.Address.Trim(), out address))
        {
            Error = "Not an IP address: " + Explain.Address;
            return Page();
        }

        PolicyProtocol protocol = PolicyOperations.ProtocolOf(operation);
        var request = new PolicyRequest
        {
            Protocol = protocol,
            Operation = operation,
            CallingAE = protocol == PolicyProtocol.Dimse ? Trimmed(Explain.From) : null,
            CalledAE = protocol == PolicyProtocol.Dimse ? Trimmed(Explain.To) : null,
            Service = protocol == PolicyProtocol.Dimse ? null : Trimmed(Explain.To),
            UserId = protocol == PolicyProtocol.Dimse ? Trimmed(Explain.User) : Trimmed(Explain.User),
            ClientId = protocol == PolicyProtocol.Dimse ? null : Trimmed(Explain.From),
            RemoteAddress = address,
            SopClassUid = Trimmed(Explain.SopClass),
            At = DateTimeOffset.UtcNow,
        };
        Explanation = PolicyExplanationWriter.ToText(PolicyExplainer.Explain(policy.Evaluator, request));
        return Page();
    }

    /// <summary>Loads a candidate policy (its YAML files), then shows its lint, its diff and its simulation against recorded traffic.</summary>
    public async Task<IActionResult> OnPostCandidateAsync()
    {
        Load();
        ModelState.Clear();
        if (Candidate.Count is 0 or > MaxCandidateFiles || Candidate.Sum(f => f.Length) > MaxCandidateBytes)
        {
            Error = $"Upload 1 to {MaxCandidateFiles} YAML files, {MaxCandidateBytes / 1024} KiB in all.";
            return Page();
        }

        var sources = new List<PolicySource>();
        foreach (IFormFile file in Candidate)
        {
            string name = Path.GetFileName(file.FileName);
            if (!name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            {
                Error = "Only .yaml or .yml files: " + name;
                return Page();
            }

            using var reader = new StreamReader(file.OpenReadStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
            try
            {
                sources.Add(new PolicySource(name, await reader.ReadToEndAsync(HttpContext.RequestAborted)));
            }
            catch (DecoderFallbackException)
            {
                Error = "Not UTF-8: " + name;
                return Page();
            }
        }

        PolicyLoadResult loaded = PolicyLoader.Load(sources);
        if (!loaded.Succeeded)
        {
            CandidateOutcome = new CandidateResult([.. loaded.Diagnostics], null, null, 0);
            return Page();
        }

        var candidate = new PolicyEvaluator(loaded.Model!);
        IReadOnlyList<(PolicyRequest Request, PolicyOutcome Outcome, string Rule)> recent = traffic.RecentRequests();
        IEnumerable<RecordedRequest> recorded = recent.Select((r, i) => new RecordedRequest(i + 1, r.Request, r.Outcome, r.Rule));
        SimulationReport simulation = PolicySimulator.Simulate(candidate, recorded, policy.Evaluator);
        CandidateOutcome = new CandidateResult(
            [.. loaded.Diagnostics, .. PolicyLinter.Lint(loaded.Model!)],
            PolicyDiffer.ToText(PolicyDiffer.Compare(policy.Model, loaded.Model!), "in force", "candidate"),
            PolicySimulator.ToText(simulation),
            recent.Count);
        return Page();
    }

    private void Load()
    {
        Flows = traffic.Flows();
        Lint = PolicyLinter.Lint(policy.Model);
    }

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A request to explain.</summary>
public sealed class ExplainForm
{
    /// <summary>The operation (<c>store</c>, <c>qido</c>, <c>audit-read</c> ...).</summary>
    [Required, StringLength(32)]
    public string Operation { get; set; } = "store";

    /// <summary>DIMSE: the calling AE title; HTTPS: the client id.</summary>
    [StringLength(64)]
    public string? From { get; set; }

    /// <summary>DIMSE: the called AE title; HTTPS: the service.</summary>
    [StringLength(64)]
    public string? To { get; set; }

    /// <summary>The user id (HTTPS, or DIMSE user identity).</summary>
    [StringLength(256)]
    public string? User { get; set; }

    /// <summary>The remote address.</summary>
    [StringLength(64)]
    public string? Address { get; set; }

    /// <summary>The SOP class UID.</summary>
    [StringLength(64)]
    public string? SopClass { get; set; }
}

/// <summary>What a candidate policy would be and change.</summary>
/// <param name="Diagnostics">Load errors and lint findings.</param>
/// <param name="Diff">The changes against the policy in force, or null when it did not load.</param>
/// <param name="Simulation">The decisions that would change on the recorded requests, or null.</param>
/// <param name="Requests">Recorded requests simulated.</param>
public sealed record CandidateResult(IReadOnlyList<PolicyDiagnostic> Diagnostics, string? Diff, string? Simulation, int Requests);
