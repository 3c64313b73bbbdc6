namespace Gateway.Dicom;

/// <summary>A unique identifier (PS3.5 9): dot-separated decimal components, at most 64 characters.</summary>
public readonly record struct DicomUid(string Value)
{
    /// <summary>The largest length of a UID (PS3.5 9.1).</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// True when the value follows PS3.5 9.1: 1 to 64 characters of digits and dots, no empty component,
    /// no leading zero in a component of more than one digit.
    /// </summary>
    public bool IsValid
    {
        get
        {
            string v = Value ?? string.Empty;
            if (v.Length is 0 or > MaxLength)
            {
                return false;
            }

            int componentStart = 0;
            for (int i = 0; i <= v.Length; i++)
            {
                if (i == v.Length || v[i] == '.')
                {
                    int len = i - componentStart;
                    if (len == 0 || (len > 1 && v[componentStart] == '0'))
                    {
                        return false;
                    }

                    componentStart = i + 1;
                }
                else if (!char.IsAsciiDigit(v[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
