namespace Gateway.Host.Configuration;

/// <summary>
/// Worklist-driven prefetch (section <c>Gateway:Prefetch</c>): every <see cref="Interval"/> the gateway asks the worklist
/// for procedures scheduled from the start of today until <see cref="LeadTime"/> from now, looks up each patient's prior
/// studies on the PACS, and pushes the <see cref="MostRecent"/> that match <see cref="Modalities"/> and
/// <see cref="BodyParts"/> to the VLAN device <see cref="Destination"/>, where the policy lets that device retrieve them.
/// </summary>
public sealed class PrefetchOptions
{
    /// <summary>Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>Time between two looks at the worklist.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far ahead of now a scheduled procedure step is prefetched for.</summary>
    public TimeSpan LeadTime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Modalities a prior series must have (for example <c>CT</c>, <c>MR</c>); empty: any.</summary>
    public List<string> Modalities { get; } = [];

    /// <summary>Body Part Examined values a prior series must have (for example <c>CHEST</c>); empty: any.</summary>
    public List<string> BodyParts { get; } = [];

    /// <summary>How many of the patient's most recent matching prior studies are pushed.</summary>
    public int MostRecent { get; set; } = 2;

    /// <summary>The VLAN device that receives the priors: an AE title under <c>Gateway:Devices</c>.</summary>
    public string? Destination { get; set; }

    /// <summary>
    /// The policy's query/retrieve service (its name, for example <c>pacs</c>) that the priors come from: the policy
    /// decides as if <see cref="Destination"/> queried it and retrieved to itself; its upstream (else
    /// <c>Gateway:Routing:QueryRetrieve</c>) answers.
    /// </summary>
    public string? Service { get; set; }

    /// <summary>The policy's worklist service (its name) whose upstream is asked; without it, <c>Gateway:Routing:Worklist</c>.</summary>
    public string? WorklistService { get; set; }

    /// <summary>A study pushed to the destination is not fetched for it again within this time.</summary>
    public TimeSpan RememberFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>At most this many worklist items are read per look (the rest of a larger answer is cancelled).</summary>
    public int MaxWorklistItems { get; set; } = 500;

    /// <summary>At most this many studies of one patient are considered (the rest of a larger answer is cancelled).</summary>
    public int MaxStudiesPerPatient { get; set; } = 200;
}
