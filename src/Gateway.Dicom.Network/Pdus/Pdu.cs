namespace Gateway.Dicom.Network.Pdus;

/// <summary>A protocol data unit of the DICOM Upper Layer (PS3.8 9.3).</summary>
public abstract record Pdu
{
    /// <summary>The PDU type.</summary>
    public abstract PduType Type { get; }
}
