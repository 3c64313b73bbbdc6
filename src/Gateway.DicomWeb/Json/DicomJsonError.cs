namespace Gateway.DicomWeb.Json;

/// <summary>Why a DICOM JSON document (PS3.18 Annex F) could not be read or written.</summary>
public enum DicomJsonError
{
    /// <summary>Not JSON (RFC 8259): a syntax error, invalid UTF-8, a control character in a string.</summary>
    MalformedJson,

    /// <summary>The input ended inside the document.</summary>
    Truncated,

    /// <summary>JSON of the wrong shape: for example a data set that is not an object, or an attribute that is not an object.</summary>
    UnexpectedToken,

    /// <summary>An attribute key that is not eight hexadecimal digits (F.2.1.1), or a tag that may not stand in a data set.</summary>
    InvalidTag,

    /// <summary>The same attribute twice in one data set.</summary>
    DuplicateAttribute,

    /// <summary>An attribute without "vr", with a VR that is not one of PS3.5 Table 6.2-1, or with "vr" after its value.</summary>
    InvalidVR,

    /// <summary>A member other than "vr", "Value", "BulkDataURI" and "InlineBinary", or more than one value member.</summary>
    InvalidMember,

    /// <summary>A value that does not fit its VR: a number out of range, a string where a number belongs, bad base64, a bad tag or person name.</summary>
    InvalidValue,

    /// <summary>Sequences nested deeper than the limit.</summary>
    DepthLimitExceeded,

    /// <summary>More attributes, items or values than the limit.</summary>
    ElementLimitExceeded,

    /// <summary>A document larger than the limit.</summary>
    SizeLimitExceeded,

    /// <summary>One value (a string, a number, base64) longer than the limit.</summary>
    ValueTooLong,
}
