namespace Gateway.Dicom.Network.Dimse;

/// <summary>A DIMSE status code (0000,0900) and its category (PS3.7 C).</summary>
public readonly record struct DimseStatus(ushort Code)
{
    /// <summary>Success.</summary>
    public static readonly DimseStatus Success = new(0x0000);

    /// <summary>Pending: more responses follow.</summary>
    public static readonly DimseStatus Pending = new(0xFF00);

    /// <summary>Pending: matches are continuing, but optional keys were not supported (C-FIND).</summary>
    public static readonly DimseStatus PendingWarning = new(0xFF01);

    /// <summary>Cancel: the operation was terminated by a C-CANCEL.</summary>
    public static readonly DimseStatus Cancel = new(0xFE00);

    /// <summary>Warning: sub-operations complete, one or more failures or warnings (C-MOVE, C-GET).</summary>
    public static readonly DimseStatus SubOperationsWarning = new(0xB000);

    /// <summary>Failure: refused, out of resources (A700).</summary>
    public static readonly DimseStatus OutOfResources = new(0xA700);

    /// <summary>Failure: refused, out of resources, unable to calculate number of matches (C-MOVE/C-GET, A701).</summary>
    public static readonly DimseStatus OutOfResourcesMatches = new(0xA701);

    /// <summary>Failure: refused, out of resources, unable to perform sub-operations (A702).</summary>
    public static readonly DimseStatus OutOfResourcesSubOperations = new(0xA702);

    /// <summary>Failure: move destination unknown (A801).</summary>
    public static readonly DimseStatus MoveDestinationUnknown = new(0xA801);

    /// <summary>Failure: data set does not match SOP class (A900), or identifier does not match (C-FIND).</summary>
    public static readonly DimseStatus DataSetDoesNotMatchSopClass = new(0xA900);

    /// <summary>Failure: cannot understand (C000).</summary>
    public static readonly DimseStatus CannotUnderstand = new(0xC000);

    /// <summary>Failure: unable to process (C001; the Q/R "unable to process").</summary>
    public static readonly DimseStatus UnableToProcess = new(0xC001);

    /// <summary>Failure: SOP class not supported (0122).</summary>
    public static readonly DimseStatus SopClassNotSupported = new(0x0122);

    /// <summary>Failure: not authorized (0124), a refusal by policy.</summary>
    public static readonly DimseStatus NotAuthorized = new(0x0124);

    /// <summary>Failure: processing failure (0110).</summary>
    public static readonly DimseStatus ProcessingFailure = new(0x0110);

    /// <summary>Failure: duplicate SOP instance (0111).</summary>
    public static readonly DimseStatus DuplicateSopInstance = new(0x0111);

    /// <summary>Failure: unrecognized operation (0211).</summary>
    public static readonly DimseStatus UnrecognizedOperation = new(0x0211);

    /// <summary>Warning: coercion of data elements (B000 for C-STORE).</summary>
    public static readonly DimseStatus CoercionOfDataElements = new(0xB000);

    /// <summary>The category of this status (PS3.7 C.1-C.4).</summary>
    public DimseStatusCategory Category => Code switch
    {
        0x0000 => DimseStatusCategory.Success,
        0xFF00 or 0xFF01 => DimseStatusCategory.Pending,
        0xFE00 => DimseStatusCategory.Cancel,
        0x0001 or 0x0107 or 0x0116 => DimseStatusCategory.Warning,
        >= 0xB000 and <= 0xBFFF => DimseStatusCategory.Warning,
        _ => DimseStatusCategory.Failure,
    };

    /// <summary>True for success and warning: the operation was performed.</summary>
    public bool IsSuccessOrWarning => Category is DimseStatusCategory.Success or DimseStatusCategory.Warning;

    /// <inheritdoc />
    public override string ToString() => $"0x{Code:X4} ({Category})";
}
