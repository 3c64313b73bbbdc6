namespace Gateway.Dicom.Network.Dimse;

/// <summary>Priority (0000,0700) of a request (PS3.7 E.1).</summary>
public enum DimsePriority : ushort
{
    /// <summary>Medium.</summary>
    Medium = 0x0000,

    /// <summary>High.</summary>
    High = 0x0001,

    /// <summary>Low.</summary>
    Low = 0x0002,
}
