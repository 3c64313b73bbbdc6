namespace Gateway.Dicom.Model;

/// <summary>A person name (PN, PS3.5 6.2.1): up to three component groups, each with five components.</summary>
public sealed record DicomPersonName
{
    /// <summary>Parses one PN value ("Family^Given^Middle^Prefix^Suffix=Ideographic=Phonetic").</summary>
    public DicomPersonName(string value)
    {
        string[] groups = value.Split('=');
        Alphabetic = groups.Length > 0 ? groups[0] : string.Empty;
        Ideographic = groups.Length > 1 ? groups[1] : string.Empty;
        Phonetic = groups.Length > 2 ? groups[2] : string.Empty;
    }

    /// <summary>The alphabetic component group.</summary>
    public string Alphabetic { get; }

    /// <summary>The ideographic component group.</summary>
    public string Ideographic { get; }

    /// <summary>The phonetic component group.</summary>
    public string Phonetic { get; }

    /// <summary>The family name (first component of the alphabetic group).</summary>
    public string FamilyName => Component(Alphabetic, 0);

    /// <summary>The given name (second component of the alphabetic group).</summary>
    public string GivenName => Component(Alphabetic, 1);

    /// <summary>The middle name.</summary>
    public string MiddleName => Component(Alphabetic, 2);

    /// <summary>The name prefix.</summary>
    public string Prefix => Component(Alphabetic, 3);

    /// <summary>The name suffix.</summary>
    public string Suffix => Component(Alphabetic, 4);

    private static string Component(string group, int index)
    {
        string[] parts = group.Split('^');
        return index < parts.Length ? parts[index] : string.Empty;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Phonetic.Length > 0 ? $"{Alphabetic}={Ideographic}={Phonetic}" : Ideographic.Length > 0 ? $"{Alphabetic}={Ideographic}" : Alphabetic;
}
