using System.Globalization;
using System.Numerics;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// Distinct synthetic CT instances for the fault tests, written as Part 10 files: a hundred per study (one series each),
/// a patient per study, UIDs under a fresh <c>2.25</c> root per call so that runs never share an instance.
/// </summary>
internal static class FaultInstances
{
    /// <summary>Writes <paramref name="count"/> instances of <paramref name="size"/> x <paramref name="size"/> 16-bit pixels into <paramref name="directory"/>.</summary>
    /// <returns>The file of each instance by SOP Instance UID, in sending order.</returns>
    public static async Task<IReadOnlyList<(string SopInstanceUid, string File)>> WriteAsync(string directory, int count, int size = 16)
    {
        string root = "2.25." + new BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true).ToString(CultureInfo.InvariantCulture);
        var written = new List<(string, string)>(count);
        for (int i = 0; i < count; i++)
        {
            int study = (i / 100) + 1;
            string n = (i + 1).ToString(CultureInfo.InvariantCulture);
            string s = study.ToString(CultureInfo.InvariantCulture);
            var instance = new TestInstance
            {
                PatientId = "FAULT-" + s,
                PatientName = "Fault^Patient" + s,
                StudyUid = root + ".1." + s,
                SeriesUid = root + ".2." + s,
                SopInstanceUid = root + ".3." + n,
                InstanceNumber = (i % 100) + 1,
                AccessionNumber = "FA" + s,
                Size = size,
            };
            written.Add((instance.SopInstanceUid, await instance.WriteAsync(directory)));
        }

        return written;
    }
}
