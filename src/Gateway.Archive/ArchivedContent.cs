namespace Gateway.Archive;

/// <summary>What the stream of an <see cref="ArchivedInstance"/> holds.</summary>
public enum ArchivedContent
{
    /// <summary>
    /// A DICOM Part 10 file: preamble, "DICM", File Meta Information (transfer syntax, SOP class and instance, Source
    /// Application Entity Title = the calling AE), then the data set exactly as received. What WADO serves.
    /// </summary>
    Part10File,

    /// <summary>The data set exactly as received, in <see cref="ArchivedInstance.TransferSyntax"/>: what a C-STORE forwards.</summary>
    DataSet,
}
