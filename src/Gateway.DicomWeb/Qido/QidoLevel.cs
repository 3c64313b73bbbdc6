namespace Gateway.DicomWeb.Qido;

/// <summary>What a QIDO-RS request searches for (PS3.18 10.6), and the C-FIND Query/Retrieve Level it maps to.</summary>
public enum QidoLevel
{
    /// <summary>SearchForStudies: Query/Retrieve Level STUDY.</summary>
    Study,

    /// <summary>SearchForSeries: Query/Retrieve Level SERIES.</summary>
    Series,

    /// <summary>SearchForInstances: Query/Retrieve Level IMAGE.</summary>
    Instance,
}
