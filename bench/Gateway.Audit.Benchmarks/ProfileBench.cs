using System.Diagnostics;
using System.Globalization;
using Gateway.Audit.Merkle;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Benchmarks;

/// <summary>Where one append's CPU goes: each stage of the append path timed on one thread, without I/O.</summary>
internal static class ProfileBench
{
    public static void Run(int records)
    {
        using AuditDataKey key = AuditDataKey.FromBytes(new byte[32]);
        AuditRecord[] built = new AuditRecord[records];
        byte[][] plaintexts = new byte[records][];
        AuditLeaf[] leaves = new AuditLeaf[records];
        byte[] previous = new byte[32];
        for (int round = 0; round < 2; round++)
        {
            var stages = new List<(string, double)>();
            stages.Add(("build record (caller)", Time(() => { for (int i = 0; i < records; i++) { built[i] = BenchRecords.Transfer(i); } })));
            stages.Add(("validate", Time(() => { for (int i = 0; i < records; i++) { AuditRecordValidator.Validate(built[i]); } })));
            stages.Add(("normalize+serialize", Time(() => { for (int i = 0; i < records; i++) { plaintexts[i] = AuditRecordSerializer.Serialize(AuditRecordSerializer.Normalize(built[i])); } })));
            stages.Add(("leaf create (hmac, key, gcm, parse)", Time(() => { for (int i = 0; i < records; i++) { leaves[i] = AuditLeaf.Create(i, built[i], previous, key); } })));
            stages.Add(("leaf hash", Time(() => { for (int i = 0; i < records; i++) { MerkleHasher.HashLeaf(leaves[i].Bytes); } })));
            stages.Add(("patient hash only", Time(() => { for (int i = 0; i < records; i++) { key.PatientHash("PID000001"); } })));
            stages.Add(("record key only", Time(() => { for (int i = 0; i < records; i++) { key.RecordKey(previous.AsSpan(0, 16)); } })));
            byte[] k32 = new byte[32];
            byte[] ct = new byte[plaintexts[0].Length + 16];
            stages.Add(("new AesGcm only", Time(() => { for (int i = 0; i < records; i++) { using var a = new System.Security.Cryptography.AesGcm(k32, 16); } })));
            using var one = new System.Security.Cryptography.AesGcm(k32, 16);
            stages.Add(("gcm encrypt only", Time(() => { for (int i = 0; i < records; i++) { one.Encrypt(new byte[12], plaintexts[0], ct.AsSpan(0, plaintexts[0].Length), ct.AsSpan(plaintexts[0].Length), previous); } })));
            stages.Add(("leaf parse only", Time(() => { for (int i = 0; i < records; i++) { AuditLeaf.Parse(leaves[i].Bytes, out _); } })));
            stages.Add(("normalize only", Time(() => { for (int i = 0; i < records; i++) { AuditRecordSerializer.Normalize(built[i]); } })));
            var h = System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, k32);
            byte[] mac = new byte[32];
            stages.Add(("reused hmac", Time(() => { for (int i = 0; i < records; i++) { h.AppendData(previous.AsSpan(0, 16)); h.GetHashAndReset(mac); } })));
            byte[] prefixed = new byte[leaves[0].Bytes.Length + 1];
            leaves[0].Bytes.CopyTo(prefixed, 1);
            byte[] digest = new byte[32];
            stages.Add(("leaf hash, one-shot over 0x00||leaf", Time(() => { for (int i = 0; i < records; i++) { System.Security.Cryptography.SHA256.HashData(prefixed, digest); } })));
            byte[] node = new byte[65];
            stages.Add(("node hash, IncrementalHash", Time(() => { for (int i = 0; i < records; i++) { MerkleHasher.HashChildren(node.AsSpan(1, 32), node.AsSpan(33, 32), digest); } })));
            stages.Add(("node hash, one-shot over 65 bytes", Time(() => { for (int i = 0; i < records; i++) { System.Security.Cryptography.SHA256.HashData(node, digest); } })));
            using var inc = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            stages.Add(("leaf hash, one AppendData over 0x00||leaf", Time(() => { for (int i = 0; i < records; i++) { inc.AppendData(prefixed); inc.TryGetHashAndReset(digest, out _); } })));
            stages.Add(("node hash, one AppendData over 65 bytes", Time(() => { for (int i = 0; i < records; i++) { inc.AppendData(node); inc.TryGetHashAndReset(digest, out _); } })));
            if (round == 1)
            {
                foreach ((string name, double us) in stages)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {us,8:N2} us/record"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"plaintext {plaintexts[0].Length} bytes, leaf {leaves[0].Bytes.Length} bytes"));
            }
        }

        double Time(Action action)
        {
            // CPU time, not wall time: on a shared machine a descheduled thread would inflate wall time.
            TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
            action();
            return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / records;
        }
    }
}
