using System.Text;
using System.Xml;
using Gateway.Dicom;
using Gateway.Dicom.Dictionary;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;

namespace Gateway.DicomWeb.Xml;

/// <summary>
/// Writes a data set in the Native DICOM Model (PS3.19 Annex A), the application/dicom+xml of DICOMweb, as DCMTK's
/// <c>dcm2xml -nat</c> does: one DicomAttribute per attribute with tag, vr, keyword (standard attributes) and
/// privateCreator (private ones, whose tag is written gggg00ee), Value, PersonName, Item, InlineBinary or BulkData.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The document is UTF-8, so (0008,0005) is written as "ISO_IR 192", as <c>dcm2xml +U8</c> does.</item>
/// <item>PN values are split into Alphabetic, Ideographic and Phonetic groups of FamilyName, GivenName, MiddleName,
/// NamePrefix and NameSuffix; empty components are left out. AT values are "GGGGEEEE".</item>
/// <item>InlineBinary is base64 of the value in little endian; bulk data above the threshold becomes BulkData uri="..."
/// through the same <see cref="DicomWebJsonWriterOptions"/> as the JSON writer.</item>
/// <item>Characters XML 1.0 cannot hold (most C0 controls) are written as U+FFFD.</item>
/// </list>
/// </remarks>
public static class DicomXmlWriter
{
    private static readonly string[] PersonNameGroups = ["Alphabetic", "Ideographic", "Phonetic"];
    private static readonly string[] PersonNameComponents = ["FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"];

    /// <summary>Settings for the XML writer: asynchronous, UTF-8 without BOM, no indentation (the root preserves white space).</summary>
    public static XmlWriterSettings Settings { get; } = new()
    {
        Async = true,
        Encoding = new UTF8Encoding(false),
        Indent = false,
        CloseOutput = false,
    };

    /// <summary>Writes <paramref name="dataset"/> as a NativeDicomModel document, flushing as it goes.</summary>
    /// <exception cref="DicomJsonException">A bulk value without URI is over <see cref="DicomWebJsonWriterOptions.MaxInlineBinaryLength"/>.</exception>
    public static async ValueTask WriteAsync(Stream output, DicomDataset dataset, DicomWebJsonWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= DicomWebJsonWriterOptions.Default;
        await using XmlWriter xml = XmlWriter.Create(output, Settings);
        await xml.WriteStartDocumentAsync().ConfigureAwait(false);
        xml.WriteStartElement("NativeDicomModel");
        xml.WriteAttributeString("xml", "space", null, "preserve");
        var walker = new DicomDatasetWalker(dataset);
        int written = 0;
        while (walker.Next())
        {
            WriteEvent(xml, walker, options);
            if (++written % 256 == 0)
            {
                await xml.FlushAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        xml.WriteEndElement();
        await xml.WriteEndDocumentAsync().ConfigureAwait(false);
        await xml.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Serialises <paramref name="dataset"/> to an XML string.</summary>
    public static string Serialize(DicomDataset dataset, DicomWebJsonWriterOptions? options = null)
    {
        using var buffer = new MemoryStream();
        WriteAsync(buffer, dataset, options).AsTask().GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteEvent(XmlWriter xml, DicomDatasetWalker walker, DicomWebJsonWriterOptions options)
    {
        switch (walker.Event)
        {
            case DicomWalkEvent.ItemStart:
                xml.WriteStartElement("Item");
                xml.WriteAttributeString("number", Number(walker.Index));
                return;
            case DicomWalkEvent.ItemEnd:
            case DicomWalkEvent.SequenceEnd:
                xml.WriteEndElement();
                return;
        }

        DicomItem item = walker.Item!;
        StartAttribute(xml, item, walker.Dataset);
        switch (item)
        {
            case DicomSequence:
                // Items follow; the element closes at SequenceEnd.
                return;
            case DicomFragmentSequence fragments:
                WriteBulk(xml, options, walker.Path, item, DicomJsonWriter.EncodeFragments(fragments));
                break;
            case DicomElement element when DicomWebJsonWriter.IsBulkVR(element.VR) || (element.VR.Kind == DicomVRKind.Binary && DicomValue.CountBinary(element.VR, element.Length) == 0):
                if (element.Length > 0)
                {
                    WriteBulk(xml, options, walker.Path, item, element.Value);
                }

                break;
            case DicomElement element:
                WriteValues(xml, element, walker.Dataset);
                break;
        }

        xml.WriteEndElement();
    }

    private static void StartAttribute(XmlWriter xml, DicomItem item, DicomDataset dataset)
    {
        DicomTag tag = item.Tag;
        xml.WriteStartElement("DicomAttribute");
        string? creator = tag.IsPrivate && !tag.IsPrivateCreator ? dataset.GetString(tag.PrivateCreatorTag) : null;

        // PS3.19 A.1: a private data element is named by its creator and the low byte of its element (gggg00ee).
        xml.WriteAttributeString("tag", creator is null ? tag.ToJsonKey() : new DicomTag(tag.Group, (ushort)(tag.Element & 0xFF)).ToJsonKey());
        xml.WriteAttributeString("vr", item.VR.Code);
        if (!tag.IsPrivate && DicomDictionary.Standard.FindKeyword(tag) is { } keyword && keyword != "GenericGroupLength")
        {
            xml.WriteAttributeString("keyword", keyword);
        }

        if (creator is not null)
        {
            xml.WriteAttributeString("privateCreator", Clean(creator));
        }
    }

    private static void WriteBulk(XmlWriter xml, DicomWebJsonWriterOptions options, string path, DicomItem item, ReadOnlyMemory<byte> value)
    {
        if (options.BulkDataUri is not null && value.Length > options.InlineBinaryThreshold &&
            options.BulkDataUri(new DicomBulkDataReference(path, item.Tag, item.VR, value.Length)) is { } uri)
        {
            xml.WriteStartElement("BulkData");
            xml.WriteAttributeString("uri", Clean(uri));
            xml.WriteEndElement();
            return;
        }

        if (value.Length > options.MaxInlineBinaryLength)
        {
            throw new DicomJsonException(DicomJsonError.ValueTooLong, -1, path, $"a bulk value of {value.Length} bytes is over the inline limit of {options.MaxInlineBinaryLength} and no BulkData URI was given for it");
        }

        xml.WriteStartElement("InlineBinary");
        xml.WriteString(Convert.ToBase64String(value.Span));
        xml.WriteEndElement();
    }

    private static void WriteValues(XmlWriter xml, DicomElement element, DicomDataset dataset)
    {
        DicomVR vr = element.VR;
        ReadOnlySpan<byte> value = element.Value.Span;
        if (vr.Kind == DicomVRKind.Binary)
        {
            int count = DicomValue.CountBinary(vr, value.Length);
            for (int i = 0; i < count; i++)
            {
                WriteValue(xml, i, vr == DicomVR.AT ? DicomValue.GetTag(value, i).ToJsonKey() : DicomValue.FormatBinary(vr, value, i));
            }

            return;
        }

        string[] values = element.Tag == DicomTags.SpecificCharacterSet
            ? ["ISO_IR 192"]
            : DicomValue.GetStrings(vr, value, dataset.CharacterSet);
        for (int i = 0; i < values.Length; i++)
        {
            if (vr == DicomVR.PN)
            {
                WritePersonName(xml, i, values[i]);
            }
            else
            {
                WriteValue(xml, i, values[i]);
            }
        }
    }

    private static void WriteValue(XmlWriter xml, int index, string text)
    {
        xml.WriteStartElement("Value");
        xml.WriteAttributeString("number", Number(index));
        xml.WriteString(Clean(text));
        xml.WriteEndElement();
    }

    private static void WritePersonName(XmlWriter xml, int index, string value)
    {
        xml.WriteStartElement("PersonName");
        xml.WriteAttributeString("number", Number(index));
        string[] groups = value.Split('=');
        for (int g = 0; g < Math.Min(groups.Length, PersonNameGroups.Length); g++)
        {
            if (groups[g].Length == 0)
            {
                continue;
            }

            xml.WriteStartElement(PersonNameGroups[g]);
            string[] components = groups[g].Split('^');
            for (int c = 0; c < Math.Min(components.Length, PersonNameComponents.Length); c++)
            {
                if (components[c].Length > 0)
                {
                    xml.WriteElementString(PersonNameComponents[c], Clean(components[c]));
                }
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static string Number(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The text with every character XML 1.0 cannot hold replaced by U+FFFD.</summary>
    private static string Clean(string text)
    {
        if (text.All(XmlConvert.IsXmlChar) || (text.Any(char.IsSurrogate) && IsCleanWithSurrogates(text)))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
            }
            else
            {
                clean.Append(XmlConvert.IsXmlChar(c) ? c : '\uFFFD');
            }
        }

        return clean.ToString();
    }

    private static bool IsCleanWithSurrogates(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
