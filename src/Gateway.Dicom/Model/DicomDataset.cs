using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Text;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Model;

/// <summary>A data set: elements, sequences and encapsulated pixel data, kept in ascending tag order.</summary>
/// <remarks>
/// Values are held as read and decoded on access. Text is decoded with this data set's Specific Character Set, or
/// the one inherited from the data set that contains this item (PS3.5 7.5.3).
/// </remarks>
public sealed class DicomDataset : IEnumerable<DicomItem>
{
    private readonly List<DicomItem> _items = [];
    private DicomCharacterSet? _characterSet;

    /// <summary>Creates an empty data set.</summary>
    /// <param name="parent">The data set that contains this one as a sequence item, whose character set it inherits.</param>
    public DicomDataset(DicomDataset? parent = null)
    {
        Parent = parent;
    }

    /// <summary>The data set that contains this one as a sequence item, or null at the top.</summary>
    public DicomDataset? Parent { get; }

    /// <summary>The number of top-level entries.</summary>
    public int Count => _items.Count;

    /// <summary>The character set for decoding text: this data set's (0008,0005), else the parent's, else the default.</summary>
    public DicomCharacterSet CharacterSet =>
        _characterSet ??= TryGetElement(DicomTags.SpecificCharacterSet, out DicomElement? e)
            ? DicomCharacterSet.FromTerms(DicomValue.GetStrings(DicomVR.CS, e.Value.Span, DicomCharacterSet.Default), out _)
            : Parent?.CharacterSet ?? DicomCharacterSet.Default;

    /// <summary>The entry with <paramref name="tag"/>, or null.</summary>
    public DicomItem? this[DicomTag tag] => Find(tag) is int i and >= 0 ? _items[i] : null;

    /// <summary>True when an entry with <paramref name="tag"/> exists.</summary>
    public bool Contains(DicomTag tag) => Find(tag) >= 0;

    /// <summary>Adds an entry, replacing any entry with the same tag.</summary>
    public void Set(DicomItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Tag == DicomTags.SpecificCharacterSet)
        {
            _characterSet = null;
        }

        int i = Find(item.Tag);
        if (i >= 0)
        {
            _items[i] = item;
        }
        else
        {
            _items.Insert(~i, item);
        }
    }

    /// <summary>Adds an entry unless one with the same tag exists.</summary>
    /// <returns>False when the tag was present (the first occurrence is kept, as DCMTK keeps it).</returns>
    public bool TryAdd(DicomItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        int i = Find(item.Tag);
        if (i >= 0)
        {
            return false;
        }

        if (item.Tag == DicomTags.SpecificCharacterSet)
        {
            _characterSet = null;
        }

        _items.Insert(~i, item);
        return true;
    }

    /// <summary>Removes the entry with <paramref name="tag"/>.</summary>
    public bool Remove(DicomTag tag)
    {
        int i = Find(tag);
        if (i < 0)
        {
            return false;
        }

        if (tag == DicomTags.SpecificCharacterSet)
        {
            _characterSet = null;
        }

        _items.RemoveAt(i);
        return true;
    }

    /// <summary>Gets the element with a value (not a sequence) with <paramref name="tag"/>.</summary>
    public bool TryGetElement(DicomTag tag, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomElement? element)
    {
        element = this[tag] as DicomElement;
        return element is not null;
    }

    /// <summary>The sequence with <paramref name="tag"/>, or null.</summary>
    public DicomSequence? GetSequence(DicomTag tag) => this[tag] as DicomSequence;

    /// <summary>The decoded values of a text element, or an empty list when absent or empty.</summary>
    public IReadOnlyList<string> GetStrings(DicomTag tag)
    {
        if (!TryGetElement(tag, out DicomElement? e))
        {
            return [];
        }

        if (e.VR.Kind == DicomVRKind.Binary)
        {
            int n = DicomValue.CountBinary(e.VR, e.Length);
            var values = new string[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = DicomValue.FormatBinary(e.VR, e.Value.Span, i);
            }

            return values;
        }

        return DicomValue.GetStrings(e.VR, e.Value.Span, CharacterSet);
    }

    /// <summary>The first value of a text element, or null when absent or empty.</summary>
    public string? GetString(DicomTag tag)
    {
        IReadOnlyList<string> values = GetStrings(tag);
        return values.Count > 0 ? values[0] : null;
    }

    /// <summary>A UID value (UI), or null.</summary>
    public DicomUid? GetUid(DicomTag tag) => GetString(tag) is { Length: > 0 } s ? new DicomUid(s) : null;

    /// <summary>A person name (PN), or null.</summary>
    public DicomPersonName? GetPersonName(DicomTag tag) => GetString(tag) is { } s ? new DicomPersonName(s) : null;

    /// <summary>A date (DA), or null when absent or malformed.</summary>
    public DateOnly? GetDate(DicomTag tag) => GetString(tag) is { } s && DicomValue.TryParseDate(s, out DateOnly d) ? d : null;

    /// <summary>A time (TM), or null when absent or malformed.</summary>
    public TimeOnly? GetTime(DicomTag tag) => GetString(tag) is { } s && DicomValue.TryParseTime(s, out TimeOnly t) ? t : null;

    /// <summary>
    /// Value <paramref name="index"/> of a number: binary VRs (US, SS, UL, SL, FL, FD, SV, UV) or the text VRs IS and DS.
    /// </summary>
    public bool TryGetNumber(DicomTag tag, out double number, int index = 0)
    {
        number = 0;
        if (!TryGetElement(tag, out DicomElement? e))
        {
            return false;
        }

        if (e.VR.Kind == DicomVRKind.Binary && e.VR != DicomVR.AT)
        {
            if (index < 0 || index >= DicomValue.CountBinary(e.VR, e.Length))
            {
                return false;
            }

            number = DicomValue.GetNumber(e.VR, e.Value.Span, index);
            return true;
        }

        if (e.VR == DicomVR.IS || e.VR == DicomVR.DS)
        {
            IReadOnlyList<string> values = GetStrings(tag);
            return index >= 0 && index < values.Count &&
                double.TryParse(values[index], NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }

        return false;
    }

    /// <summary>Value <paramref name="index"/> as a 32-bit integer, when it is an integral number in range.</summary>
    public int? GetInt32(DicomTag tag, int index = 0) =>
        TryGetNumber(tag, out double d, index) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;

    /// <summary>Adds or replaces a text element, encoding <paramref name="values"/> with this data set's character set and padding to even length.</summary>
    public DicomDataset SetString(DicomTag tag, DicomVR vr, params string[] values)
    {
        if (vr.Kind != DicomVRKind.Text)
        {
            throw new ArgumentException($"{vr} is not a text VR.", nameof(vr));
        }

        string joined = string.Join('\\', values);
        byte[] bytes = vr.UsesSpecificCharacterSet ? CharacterSet.Encode(joined) : Encoding.ASCII.GetBytes(joined);
        if ((bytes.Length & 1) != 0)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = vr.PaddingByte;
        }

        Set(new DicomElement(tag, vr, bytes));
        return this;
    }

    /// <summary>Adds or replaces a US element.</summary>
    public DicomDataset SetUInt16(DicomTag tag, params ushort[] values)
    {
        byte[] bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        }

        Set(new DicomElement(tag, DicomVR.US, bytes));
        return this;
    }

    /// <summary>Adds or replaces a UL element.</summary>
    public DicomDataset SetUInt32(DicomTag tag, params uint[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        Set(new DicomElement(tag, DicomVR.UL, bytes));
        return this;
    }

    /// <inheritdoc />
    public IEnumerator<DicomItem> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Find(DicomTag tag)
    {
        // Fast path: elements usually arrive in ascending order.
        if (_items.Count == 0 || _items[^1].Tag < tag)
        {
            return ~_items.Count;
        }

        int lo = 0;
        int hi = _items.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = _items[mid].Tag.CompareTo(tag);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
