using Gateway.Dicom.Model;

namespace Gateway.Dicom.Tests.Support;

/// <summary>Everything read from one file.</summary>
internal sealed record FileContent(DicomTransferSyntax Syntax, DicomDataset Meta, DicomDataset Dataset, long DatasetOffset, bool HasPreamble);
