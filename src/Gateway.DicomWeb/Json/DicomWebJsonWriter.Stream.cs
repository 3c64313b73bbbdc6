using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;
using Gateway.Dicom.Text;
using Gateway.DicomWeb;

namespace Gateway.DicomWeb.Json;

public static partial class DicomWebJsonWriter
{
    /// <summary>
    /// Writes the data set <paramref name="reader"/> reads, token by token, as one JSON object: a bulk value that becomes a
    /// BulkDataURI is skipped without being read into memory, so the metadata of a multi-gigabyte instance costs one
    /// buffer of input and the JSON of its small attributes.
    /// </summary>
    /// <remarks>
    /// Attributes are written in stream order. A repeated tag in one data set is written once (the first, as
    /// <see cref="DicomDatasetReader"/> keeps it); group lengths are left out. A sequence stored as UN with undefined
    /// length (CP-246) is written as "SQ", as the in-memory model holds it.
    /// </remarks>
    /// <exception cref="DicomFormatException">The DICOM input is malformed or over one of the reader's limits.</exception>
    /// <exception cref="DicomJsonException">A bulk value without URI is longer than <see cref="DicomWebJsonWriterOptions.MaxInlineBinaryLength"/>.</exception>
    public static async ValueTask WriteAsync(Utf8JsonWriter writer, DicomStreamReader reader, DicomWebJsonWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        options ??= DicomWebJsonWriterOptions.Default;
        var levels = new Stack<StreamLevel>();
        var current = new StreamLevel(string.Empty, DicomCharacterSet.Default);
        DicomFragmentSequence? fragments = null;
        long fragmentBytes = 0;
        string fragmentsPath = string.Empty;
        bool fragmentsOpen = false;

        writer.WriteStartObject();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                    if (reader.Tag.IsGroupLength || !current.FirstOccurrence(reader.Tag))
                    {
                        break;
                    }

                    await WriteStreamElementAsync(writer, reader, options, current, cancellationToken).ConfigureAwait(false);
                    break;

                case DicomTokenType.SequenceStart:
                {
                    bool keep = current.FirstOccurrence(reader.Tag);
                    string path = DicomAttributePath.Child(current.Path, reader.Tag);
                    if (keep)
                    {
                        writer.WritePropertyName(reader.Tag.ToJsonKey());
                        writer.WriteStartObject();
                        writer.WriteString("vr", DicomVR.SQ.Code);
                    }

                    levels.Push(current);
                    current = new StreamLevel(path, current.CharacterSet) { Skipped = !keep || current.Skipped };
                    break;
                }

                case DicomTokenType.ItemStart:
                {
                    if (!current.Skipped && current.ItemCount == 0)
                    {
                        writer.WriteStartArray("Value");
                    }

                    if (!current.Skipped)
                    {
                        writer.WriteStartObject();
                    }

                    levels.Push(current);
                    current = new StreamLevel(DicomAttributePath.Item(current.Path, current.ItemCount++), current.CharacterSet) { Skipped = current.Skipped };
                    break;
                }

                case DicomTokenType.ItemEnd:
                    if (!current.Skipped)
                    {
                        writer.WriteEndObject();
                    }

                    current = levels.Pop();
                    break;

                case DicomTokenType.SequenceEnd:
                    if (!current.Skipped)
                    {
                        if (current.ItemCount > 0)
                        {
                            writer.WriteEndArray();
                        }

                        writer.WriteEndObject();
                    }

                    current = levels.Pop();
                    break;

                case DicomTokenType.FragmentsStart:
                    fragmentsOpen = !current.Skipped && current.FirstOccurrence(reader.Tag);
                    if (!fragmentsOpen)
                    {
                        break;
                    }

                    fragmentsPath = DicomAttributePath.Child(current.Path, reader.Tag);
                    writer.WritePropertyName(reader.Tag.ToJsonKey());
                    writer.WriteStartObject();
                    writer.WriteString("vr", reader.VR.Code);

                    // The length of encapsulated pixel data is not known before its end: it goes by URI whenever one is given.
                    if (!TryWriteBulkDataUri(writer, options, fragmentsPath, reader.Tag, reader.VR, -1))
                    {
                        fragments = new DicomFragmentSequence(reader.Tag, reader.VR, []);
                        fragmentBytes = 8;
                    }

                    break;

                case DicomTokenType.Fragment:
                    if (fragments is not null)
                    {
                        fragmentBytes += 8 + reader.Length + (reader.Length & 1);
                        CheckInlineLength(options, fragmentsPath, fragmentBytes);
                        fragments.Add(await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false));
                    }

                    break;

                case DicomTokenType.FragmentsEnd:
                    if (fragments is not null)
                    {
                        writer.WriteBase64String("InlineBinary", DicomJsonWriter.EncodeFragments(fragments));
                        fragments = null;
                    }

                    if (fragmentsOpen)
                    {
                        writer.WriteEndObject();
                    }

                    fragmentsOpen = false;
                    break;
            }

            if (writer.BytesPending >= options.FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndObject();
    }

    private static async ValueTask WriteStreamElementAsync(Utf8JsonWriter writer, DicomStreamReader reader, DicomWebJsonWriterOptions options, StreamLevel level, CancellationToken cancellationToken)
    {
        if (level.Skipped)
        {
            return;
        }

        DicomTag tag = reader.Tag;
        DicomVR vr = reader.VR;
        string path = DicomAttributePath.Child(level.Path, tag);
        writer.WritePropertyName(tag.ToJsonKey());
        writer.WriteStartObject();
        writer.WriteString("vr", vr.Code);
        if (IsBulkVR(vr) && reader.Length > 0)
        {
            if (TryWriteBulkDataUri(writer, options, path, tag, vr, reader.Length))
            {
                writer.WriteEndObject();
                return;
            }

            CheckInlineLength(options, path, reader.Length);
        }

        byte[] value = await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false);
        if (reader.Encoding.IsBigEndian)
        {
            DicomByteOrder.Swap(value, vr.SwapUnit);
        }

        var element = new DicomElement(tag, vr, value);
        if (tag == DicomTags.SpecificCharacterSet)
        {
            // PS3.5 7.5.3: the items of this data set inherit its character set unless they name their own.
            level.CharacterSet = DicomCharacterSet.FromTerms(DicomValue.GetStrings(DicomVR.CS, value, DicomCharacterSet.Default), out _);
        }

        DicomJsonWriter.WriteValue(writer, element, level.CharacterSet);
        writer.WriteEndObject();
    }

    /// <summary>A data set or sequence being written from the stream.</summary>
    private sealed class StreamLevel(string path, DicomCharacterSet characterSet)
    {
        private readonly HashSet<uint> _seen = [];

        public string Path { get; } = path;

        public DicomCharacterSet CharacterSet { get; set; } = characterSet;

        /// <summary>True inside a repeated sequence whose first occurrence was already written: tokens are read and dropped.</summary>
        public bool Skipped { get; init; }

        public int ItemCount { get; set; }

        /// <summary>True the first time <paramref name="tag"/> is met in this data set.</summary>
        public bool FirstOccurrence(DicomTag tag)
        {
            return _seen.Add(tag.Value);
        }
    }
}
