namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RJ result (PS3.8 Table 9-21).</summary>
public enum RejectResult : byte
{
    /// <summary>Rejected-permanent.</summary>
    Permanent = 1,

    /// <summary>Rejected-transient.</summary>
    Transient = 2,
}
