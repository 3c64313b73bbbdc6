using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;

namespace Gateway.LoadTest;

/// <summary>
/// One simulated modality: from its own address, it sends studies of <see cref="LoadOptions.StudySize"/> images
/// (fresh UIDs each) at a paced rate, one association per study, and every few studies queries for its patient.
/// Every acknowledged SOP Instance UID is written to the shared list before the next image is sent.
/// </summary>
internal sealed class Device(LoadOptions options, int number, DicomDataset template, LatencyLog stores, LatencyLog finds, AckList acked)
{
    private static readonly DicomTransferSyntax[] Syntaxes = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian];

    public string AETitle { get; } = string.Create(CultureInfo.InvariantCulture, $"{options.AEPrefix}{number:00}");

    /// <summary>Runs until <paramref name="stop"/>, then finishes the image in flight and releases; <paramref name="abort"/> ends it hard.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var dataSet = new DicomDataset();
        foreach (DicomItem item in template)
        {
            dataSet.Set(item);
        }

        string sopClass = template.GetString(DicomTags.SOPClassUID) ?? throw new InvalidOperationException("the template has no SOP Class UID");
        var clientOptions = new DicomClientOptions
        {
            Host = options.Host,
            Port = options.Port,
            LocalAddress = options.SourceNetwork is { } network ? Address(network, number) : null,
        };
        var request = new AssociationRequest
        {
            CallingAE = AETitle,
            CalledAE = options.CalledAE,
            PresentationContexts = AssociationRequest.PresentationContextsFor([sopClass, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value], Syntaxes),
        };
        var buffer = new MemoryStream();
        var pace = Stopwatch.StartNew();
        long sent = 0;
        int study = 0;
        while (!stop.IsCancellationRequested)
        {
            study++;
            string patient = string.Create(CultureInfo.InvariantCulture, $"{AETitle}-{study:00000}");
            dataSet.SetString(DicomTags.PatientID, DicomVR.LO, patient);
            dataSet.SetString(DicomTags.PatientName, DicomVR.PN, "LOAD^" + AETitle);
            dataSet.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, NewUid());
            dataSet.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, NewUid());
            try
            {
                await using DicomAssociation association = await DicomClient.ConnectAsync(clientOptions, request, cancellationToken: abort);
                for (int i = 1; i <= options.StudySize && !stop.IsCancellationRequested; i++)
                {
                    string uid = NewUid();
                    dataSet.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, uid);
                    dataSet.SetString(DicomTags.InstanceNumber, DicomVR.IS, i.ToString(CultureInfo.InvariantCulture));
                    buffer.SetLength(0);
                    await using (var writer = new DicomStreamWriter(buffer, DicomEncoding.ExplicitLittleEndian))
                    {
                        await DicomDatasetWriter.WriteAsync(writer, dataSet, abort);
                    }

                    buffer.Position = 0;
                    DateTimeOffset at = DateTimeOffset.UtcNow;
                    long t0 = Stopwatch.GetTimestamp();
                    DimseResponse response = await DicomStoreSender.StoreAsync(association, sopClass, uid, DicomTransferSyntax.ExplicitVRLittleEndian, buffer, cancellationToken: abort);
                    TimeSpan latency = Stopwatch.GetElapsedTime(t0);
                    if (response.Status.Category is DimseStatusCategory.Success or DimseStatusCategory.Warning)
                    {
                        acked.Add(AETitle, uid);
                        stores.Success(at, latency);
                    }
                    else
                    {
                        stores.Failure(at, string.Create(CultureInfo.InvariantCulture, $"status {response.Status.Code:X4}"));
                    }

                    sent++;
                    await PaceAsync(pace, sent, stop);
                }

                if (options.FindEvery > 0 && study % options.FindEvery == 0 && !stop.IsCancellationRequested)
                {
                    await FindAsync(association, patient, abort);
                }

                await association.ReleaseAsync(abort);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The gateway restarting, refusing or aborting: the image in flight was not acknowledged; retry.
                stores.Failure(DateTimeOffset.UtcNow, Reason(ex));
                try
                {
                    await Task.Delay(500, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task PaceAsync(Stopwatch pace, long sent, CancellationToken stop)
    {
        if (options.ImagesPerSecond <= 0)
        {
            return;
        }

        TimeSpan due = TimeSpan.FromSeconds(sent / options.ImagesPerSecond);
        if (due > pace.Elapsed)
        {
            try
            {
                await Task.Delay(due - pace.Elapsed, stop);
            }
            catch (OperationCanceledException)
            {
                // Time is up: the caller releases the association.
            }
        }
    }

    private async Task FindAsync(DicomAssociation association, string patient, CancellationToken stop)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY");
        identifier.SetString(DicomTags.PatientID, DicomVR.LO, patient);
        identifier.SetString(DicomTags.StudyInstanceUID, DicomVR.UI);
        identifier.SetString(DicomTags.StudyDate, DicomVR.DA);
        DateTimeOffset at = DateTimeOffset.UtcNow;
        long t0 = Stopwatch.GetTimestamp();
        DimseStatus last = default;
        await foreach (DimseResponse response in association.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, identifier, stop))
        {
            last = response.Status;
        }

        if (last.Category == DimseStatusCategory.Success)
        {
            finds.Success(at, Stopwatch.GetElapsedTime(t0));
        }
        else
        {
            finds.Failure(at, string.Create(CultureInfo.InvariantCulture, $"status {last.Code:X4}"));
        }
    }

    private static string Reason(Exception ex)
    {
        string message = ex.Message;
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return ex.GetType().Name + ": " + (newline < 0 ? message : message[..newline]).Trim();
    }

    private static IPAddress Address(IPAddress network, int number)
    {
        byte[] bytes = network.GetAddressBytes();
        bytes[^1] = (byte)number;
        return new IPAddress(bytes);
    }

    // A 2.25 UID from 128 random bits (PS3.5 B.2).
    private static string NewUid()
    {
        Span<byte> bytes = stackalloc byte[17];
        RandomNumberGenerator.Fill(bytes[..16]);
        bytes[16] = 0;
        return "2.25." + new BigInteger(bytes).ToString(CultureInfo.InvariantCulture);
    }
}
