using System.Globalization;
using System.Runtime.CompilerServices;
using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;

namespace Gateway.Backup.Drill;

/// <summary>
/// Study Root C-FIND and C-GET at study level over an <see cref="ArchiveStore"/>: what the drill's throw-away gateway
/// serves from the restored archive. Instances stream from the archive's verifying reader straight onto the association.
/// </summary>
/// <remarks>
/// Answers carry UIDs, dates and counts only (no patient attributes). C-MOVE is refused: a drill sends nothing anywhere.
/// </remarks>
internal sealed class ArchiveQueryRetrieveService(ArchiveStore archive) : IFindService, IRetrieveService
{
    private const int MaxMatches = 10_000;

    public async IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? uid = StudyLevel(request);
        IReadOnlyList<ArchivedStudy> studies = uid is { Length: > 0 }
            ? (await archive.GetStudyAsync(uid, cancellationToken).ConfigureAwait(false) is { } one ? [one] : [])
            : await archive.FindStudiesAsync(new ArchiveStudyQuery { Limit = MaxMatches }, cancellationToken).ConfigureAwait(false);
        foreach (ArchivedStudy study in studies)
        {
            var match = new DicomDataset();
            match.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY");
            match.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, study.StudyInstanceUid);
            match.SetString(DicomTags.NumberOfStudyRelatedInstances, DicomVR.IS, study.InstanceCount.ToString(CultureInfo.InvariantCulture));
            match.SetString(DicomTags.NumberOfStudyRelatedSeries, DicomVR.IS, study.SeriesCount.ToString(CultureInfo.InvariantCulture));
            yield return match;
        }
    }

    public IAsyncEnumerable<RetrieveProgress> MoveAsync(QueryRequest request, CancellationToken cancellationToken) =>
        throw new DimseStatusException(DimseStatus.MoveDestinationUnknown, "a restore drill sends nothing anywhere");

    public async IAsyncEnumerable<RetrieveProgress> GetAsync(QueryRequest request, SubOperationSender sender, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string uid = StudyLevel(request) is { Length: > 0 } u ? u : throw new DimseStatusException(DimseStatus.CannotUnderstand, "a Study Instance UID is required");
        var instances = new List<ArchivedInstanceInfo>();
        foreach (ArchivedSeries series in await archive.ListSeriesAsync(uid, includePurged: false, cancellationToken).ConfigureAwait(false))
        {
            instances.AddRange((await archive.ListInstancesAsync(series.SeriesInstanceUid, includePurged: false, cancellationToken).ConfigureAwait(false)).Where(i => !i.IsConflict));
        }

        int completed = 0, failed = 0;
        var failures = new List<string>();
        for (int i = 0; i < instances.Count; i++)
        {
            bool ok = false;
            ArchivedInstance? instance = await archive.OpenDataSetAsync(instances[i].SopInstanceUid, cancellationToken).ConfigureAwait(false);
            if (instance is not null)
            {
                await using (instance.ConfigureAwait(false))
                {
                    DimseResponse response = await sender.StoreAsync(instance.SopClassUid, instance.SopInstanceUid, instance.TransferSyntax, instance.Stream, cancellationToken).ConfigureAwait(false);
                    ok = response.Status.IsSuccessOrWarning;
                }
            }

            if (ok)
            {
                completed++;
            }
            else
            {
                failed++;
                failures.Add(instances[i].SopInstanceUid);
            }

            yield return new RetrieveProgress(instances.Count - i - 1, completed, failed, 0, failures);
        }
    }

    private static string? StudyLevel(QueryRequest request)
    {
        if (request.Identifier.GetString(DicomTags.QueryRetrieveLevel)?.Trim() != "STUDY")
        {
            throw new DimseStatusException(DimseStatus.CannotUnderstand, "the drill gateway answers study-level queries only");
        }

        return request.Identifier.GetString(DicomTags.StudyInstanceUID)?.Trim();
    }
}
