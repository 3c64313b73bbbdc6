namespace Gateway.DicomWeb.Stow;

/// <summary>Warning Reason (0008,1196) values for an instance stored with a warning (PS3.18 10.5.3, PS3.4 B.2.3).</summary>
public enum StowWarningReason : ushort
{
    /// <summary>B000H Coercion of data elements: the origin modified attributes.</summary>
    CoercionOfDataElements = 0xB000,

    /// <summary>B006H Elements discarded.</summary>
    ElementsDiscarded = 0xB006,

    /// <summary>B007H Data set does not match SOP Class.</summary>
    DatasetDoesNotMatchSopClass = 0xB007,
}
