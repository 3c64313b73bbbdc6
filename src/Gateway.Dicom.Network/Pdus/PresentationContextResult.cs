namespace Gateway.Dicom.Network.Pdus;

/// <summary>The result of negotiating one presentation context (PS3.8 Table 9-18).</summary>
public enum PresentationContextResult : byte
{
    /// <summary>Acceptance.</summary>
    Acceptance = 0,

    /// <summary>User-rejection.</summary>
    UserRejection = 1,

    /// <summary>No reason (provider rejection).</summary>
    NoReason = 2,

    /// <summary>Abstract syntax not supported (provider rejection).</summary>
    AbstractSyntaxNotSupported = 3,

    /// <summary>Transfer syntaxes not supported (provider rejection).</summary>
    TransferSyntaxesNotSupported = 4,
}
