namespace Gateway.Dicom.Network.Services;

/// <summary>The Query/Retrieve Level (0008,0052) of a C-FIND, C-MOVE or C-GET identifier (PS3.4 C.3), top to bottom.</summary>
internal enum QueryRetrieveLevel
{
    /// <summary>PATIENT (Patient Root only).</summary>
    Patient,

    /// <summary>STUDY.</summary>
    Study,

    /// <summary>SERIES.</summary>
    Series,

    /// <summary>IMAGE (composite object instances).</summary>
    Image,
}
