#!/usr/bin/env python3
"""Generate the DICOM data dictionary, tag constants and UID registry for Gateway.Dicom.

Reads (defaults: the files installed by the Debian packages dcmtk and libdcmtk-dev):
  /usr/share/libdcmtk17/dicom.dic        DCMTK's copy of the PS3.6 data dictionary
  /usr/share/libdcmtk17/private.dic      DCMTK's private tag dictionary
  /usr/include/dcmtk/dcmdata/dcuid.h     DCMTK's UID defines (PS3.6 Annex A registry)

Writes (relative to the repository root):
  src/Gateway.Dicom/Dictionary/DicomDictionary.Generated.cs
  src/Gateway.Dicom/DicomTags.Generated.cs
  src/Gateway.Dicom/DicomUids.Generated.cs

Run from the repository root:
  python3 scripts/generate-dictionary.py
Options (see --help) override the input paths, the output root and the DCMTK version
string written into the headers. Python 3 standard library only; the output depends only
on the input files and the DCMTK version string (no timestamps), so reruns are byte-identical.

Decisions taken while parsing (also reported on stderr when they apply):
  * dicom.dic: lines whose Version is GENERIC, PRIVATE or ILLEGAL are DCMTK pseudo entries
    (generic/private group lengths and private creators, e.g. "(0000-u-FFFF,0000)") and not
    PS3.6 attributes; they are skipped (the lookup code handles group lengths and private
    creators structurally). Commented "xx" ranges (e.g. "#(0028,04X0)") are comments.
  * dicom.dic: "-o-" / "-u-" range restrictors are only accepted for those skipped pseudo
    entries, because DicomDictionaryEntry.Covers treats a group range as even groups only.
  * private.dic: a group range such as "(6001-o-60ff,...)" becomes one entry per group in
    the range (odd groups only for "-o-", every second group for the default notation).
  * private.dic: an element written with 4 hex digits "xxee" is kept with offset ee when xx
    is 00 or 10 (the first block); other blocks (e.g. "PHILIPS MR/PART",1100) cannot be
    represented by DicomPrivateDictionaryEntry (it has no block number) and are skipped,
    since mapping them onto the offset would mislabel elements of the first block.
  * private.dic: an empty VR becomes "UN"; a repeated (group, creator, offset) keeps the
    later line, as DCMTK does ("entries may override existing entries").
  * DicomTags: one field per single-tag, non-retired standard entry; a keyword already used
    by another field is skipped (none in DCMTK 3.6.7), and a keyword that is not a valid
    C# identifier, or would hide an inherited object member, is rejected with an error.
  * dcuid.h: only '#define UID_Name "1.2.840.10008.n.n"' with a complete dotted numeric
    literal are used; DCMTK's own roots/classes (1.2.276.0.7230010.3...), private UIDs and
    prefixes such as UID_RelevantPatientInformationQuery_Prefix ("...37.") are excluded.
    UID_RETIRED_ prefixes and "RETIRED" in the preceding doc comment set IsRetired.
    UID_DRAFT_ defines (frozen-draft trial UIDs, listed as retired "Trial" UIDs in PS3.6)
    are kept as retired with the suffix "Trial".
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass

SCRIPT_PATH = "scripts/generate-dictionary.py"

DEFAULT_DICOM_DIC = "/usr/share/libdcmtk17/dicom.dic"
DEFAULT_PRIVATE_DIC = "/usr/share/libdcmtk17/private.dic"
DEFAULT_DCUID_H = "/usr/include/dcmtk/dcmdata/dcuid.h"

OUT_DICTIONARY = "src/Gateway.Dicom/Dictionary/DicomDictionary.Generated.cs"
OUT_TAGS = "src/Gateway.Dicom/DicomTags.Generated.cs"
OUT_UIDS = "src/Gateway.Dicom/DicomUids.Generated.cs"

# PS3.5 VRs plus DCMTK's combined codes (see DicomDictionaryEntry.VRCode).
KNOWN_VRS = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF",
    "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN",
    "UR", "US", "UT", "UV",
    "ox", "xs", "lt", "px", "up", "na",
}

# dicom.dic "Version" values that are DCMTK pseudo entries, not PS3.6 attributes.
PSEUDO_VERSIONS = {"GENERIC", "PRIVATE", "ILLEGAL"}

# UIDs registered by DICOM; everything else in dcuid.h (DCMTK's root 1.2.276.0.7230010.3,
# vendor private UIDs) is excluded.
DICOM_UID_ROOT = "1.2.840.10008."
DCMTK_ROOTS = ("1.2.276.0.7230010.3",)

# PS3.6 Annex A keywords for the transfer syntaxes DCMTK names differently (by UID).
TRANSFER_SYNTAX_KEYWORDS = {
    "1.2.840.10008.1.2": "ImplicitVRLittleEndian",
    "1.2.840.10008.1.2.1": "ExplicitVRLittleEndian",
    "1.2.840.10008.1.2.1.99": "DeflatedExplicitVRLittleEndian",
    "1.2.840.10008.1.2.2": "ExplicitVRBigEndian",
    "1.2.840.10008.1.2.4.50": "JPEGBaseline8Bit",
    "1.2.840.10008.1.2.4.51": "JPEGExtended12Bit",
    "1.2.840.10008.1.2.4.52": "JPEGExtended35",
    "1.2.840.10008.1.2.4.53": "JPEGSpectralSelectionNonHierarchical68",
    "1.2.840.10008.1.2.4.54": "JPEGSpectralSelectionNonHierarchical79",
    "1.2.840.10008.1.2.4.55": "JPEGFullProgressionNonHierarchical1012",
    "1.2.840.10008.1.2.4.56": "JPEGFullProgressionNonHierarchical1113",
    "1.2.840.10008.1.2.4.57": "JPEGLossless",
    "1.2.840.10008.1.2.4.58": "JPEGLosslessNonHierarchical15",
    "1.2.840.10008.1.2.4.59": "JPEGExtendedHierarchical1618",
    "1.2.840.10008.1.2.4.60": "JPEGExtendedHierarchical1719",
    "1.2.840.10008.1.2.4.61": "JPEGSpectralSelectionHierarchical2022",
    "1.2.840.10008.1.2.4.62": "JPEGSpectralSelectionHierarchical2123",
    "1.2.840.10008.1.2.4.63": "JPEGFullProgressionHierarchical2426",
    "1.2.840.10008.1.2.4.64": "JPEGFullProgressionHierarchical2527",
    "1.2.840.10008.1.2.4.65": "JPEGLosslessHierarchical28",
    "1.2.840.10008.1.2.4.66": "JPEGLosslessHierarchical29",
    "1.2.840.10008.1.2.4.70": "JPEGLosslessSV1",
    "1.2.840.10008.1.2.4.80": "JPEGLSLossless",
    "1.2.840.10008.1.2.4.81": "JPEGLSNearLossless",
    "1.2.840.10008.1.2.4.90": "JPEG2000Lossless",
    "1.2.840.10008.1.2.4.91": "JPEG2000",
    "1.2.840.10008.1.2.4.92": "JPEG2000MCLossless",
    "1.2.840.10008.1.2.4.93": "JPEG2000MC",
    "1.2.840.10008.1.2.4.94": "JPIPReferenced",
    "1.2.840.10008.1.2.4.95": "JPIPReferencedDeflate",
    "1.2.840.10008.1.2.4.100": "MPEG2MPML",
    "1.2.840.10008.1.2.4.101": "MPEG2MPHL",
    "1.2.840.10008.1.2.4.102": "MPEG4HP41",
    "1.2.840.10008.1.2.4.103": "MPEG4HP41BD",
    "1.2.840.10008.1.2.4.104": "MPEG4HP422D",
    "1.2.840.10008.1.2.4.105": "MPEG4HP423D",
    "1.2.840.10008.1.2.4.106": "MPEG4HP42STEREO",
    "1.2.840.10008.1.2.4.107": "HEVCMP51",
    "1.2.840.10008.1.2.4.108": "HEVCM10P51",
    "1.2.840.10008.1.2.5": "RLELossless",
    "1.2.840.10008.1.2.6.1": "RFC2557MIMEEncapsulation",
    "1.2.840.10008.1.2.6.2": "XMLEncoding",
    "1.2.840.10008.1.2.7.1": "SMPTEST211020UncompressedProgressiveActiveVideo",
    "1.2.840.10008.1.2.7.2": "SMPTEST211020UncompressedInterlacedActiveVideo",
    "1.2.840.10008.1.2.7.3": "SMPTEST211030PCMDigitalAudio",
}

# PS3.6 keywords for the verification, query/retrieve and worklist SOP classes
# (DCMTK name without "UID_"/"RETIRED_" -> PS3.6 keyword).
SOP_CLASS_KEYWORDS = {
    "VerificationSOPClass": "Verification",
    "FINDPatientRootQueryRetrieveInformationModel": "PatientRootQueryRetrieveInformationModelFind",
    "MOVEPatientRootQueryRetrieveInformationModel": "PatientRootQueryRetrieveInformationModelMove",
    "GETPatientRootQueryRetrieveInformationModel": "PatientRootQueryRetrieveInformationModelGet",
    "FINDStudyRootQueryRetrieveInformationModel": "StudyRootQueryRetrieveInformationModelFind",
    "MOVEStudyRootQueryRetrieveInformationModel": "StudyRootQueryRetrieveInformationModelMove",
    "GETStudyRootQueryRetrieveInformationModel": "StudyRootQueryRetrieveInformationModelGet",
    "FINDPatientStudyOnlyQueryRetrieveInformationModel": "PatientStudyOnlyQueryRetrieveInformationModelFind",
    "MOVEPatientStudyOnlyQueryRetrieveInformationModel": "PatientStudyOnlyQueryRetrieveInformationModelMove",
    "GETPatientStudyOnlyQueryRetrieveInformationModel": "PatientStudyOnlyQueryRetrieveInformationModelGet",
    "MOVECompositeInstanceRootRetrieve": "CompositeInstanceRootRetrieveMove",
    "GETCompositeInstanceRootRetrieve": "CompositeInstanceRootRetrieveGet",
    "GETCompositeInstanceRetrieveWithoutBulkData": "CompositeInstanceRetrieveWithoutBulkDataGet",
    "FINDModalityWorklistInformationModel": "ModalityWorklistInformationModelFind",
    "FINDGeneralPurposeWorklistInformationModel": "GeneralPurposeWorklistInformationModelFind",
    "FINDHangingProtocolInformationModel": "HangingProtocolInformationModelFind",
    "MOVEHangingProtocolInformationModel": "HangingProtocolInformationModelMove",
    "GETHangingProtocolInformationModel": "HangingProtocolInformationModelGet",
    "FINDColorPaletteInformationModel": "ColorPaletteQueryRetrieveInformationModelFind",
    "MOVEColorPaletteInformationModel": "ColorPaletteQueryRetrieveInformationModelMove",
    "GETColorPaletteInformationModel": "ColorPaletteQueryRetrieveInformationModelGet",
    "FINDGenericImplantTemplateInformationModel": "GenericImplantTemplateInformationModelFind",
    "MOVEGenericImplantTemplateInformationModel": "GenericImplantTemplateInformationModelMove",
    "GETGenericImplantTemplateInformationModel": "GenericImplantTemplateInformationModelGet",
    "FINDImplantAssemblyTemplateInformationModel": "ImplantAssemblyTemplateInformationModelFind",
    "MOVEImplantAssemblyTemplateInformationModel": "ImplantAssemblyTemplateInformationModelMove",
    "GETImplantAssemblyTemplateInformationModel": "ImplantAssemblyTemplateInformationModelGet",
    "FINDImplantTemplateGroupInformationModel": "ImplantTemplateGroupInformationModelFind",
    "MOVEImplantTemplateGroupInformationModel": "ImplantTemplateGroupInformationModelMove",
    "GETImplantTemplateGroupInformationModel": "ImplantTemplateGroupInformationModelGet",
    "FINDDefinedProcedureProtocolInformationModel": "DefinedProcedureProtocolInformationModelFind",
    "MOVEDefinedProcedureProtocolInformationModel": "DefinedProcedureProtocolInformationModelMove",
    "GETDefinedProcedureProtocolInformationModel": "DefinedProcedureProtocolInformationModelGet",
    "FINDProtocolApprovalInformationModel": "ProtocolApprovalInformationModelFind",
    "MOVEProtocolApprovalInformationModel": "ProtocolApprovalInformationModelMove",
    "GETProtocolApprovalInformationModel": "ProtocolApprovalInformationModelGet",
}

# Retired UIDs that still get a public DicomUids field because the codec must recognise
# them on input (PS3.5 retired Explicit VR Big Endian, but peers still send it).
RETIRED_PUBLIC_UIDS = {"1.2.840.10008.1.2.2"}

TYPE_TEXT = {
    "TransferSyntax": "transfer syntax",
    "SopClass": "SOP class",
    "MetaSopClass": "meta SOP class",
    "WellKnownInstance": "well-known instance",
    "ApplicationContext": "application context",
    "Other": "other",
}

CSHARP_KEYWORDS = {
    "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked",
    "class", "const", "continue", "decimal", "default", "delegate", "do", "double", "else",
    "enum", "event", "explicit", "extern", "false", "finally", "fixed", "float", "for",
    "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
    "long", "namespace", "new", "null", "object", "operator", "out", "override", "params",
    "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
    "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true",
    "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual",
    "void", "volatile", "while",
}

# Names a static class member must not take (they would hide members of System.Object,
# or clash with the declaring class / its other generated members).
RESERVED_MEMBER_NAMES = {
    "Equals", "GetHashCode", "GetType", "ToString", "ReferenceEquals", "MemberwiseClone",
    "Finalize", "DicomTags", "DicomUids", "CreateRegistry",
}

IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def note(message: str) -> None:
    print(f"generate-dictionary: {message}", file=sys.stderr)


def fail(message: str) -> None:
    print(f"generate-dictionary: error: {message}", file=sys.stderr)
    sys.exit(1)


def check_identifier(name: str, where: str) -> str:
    if not IDENTIFIER_RE.match(name) or name in CSHARP_KEYWORDS or name in RESERVED_MEMBER_NAMES:
        fail(f"{where}: '{name}' is not usable as a C# member name")
    return name


def cs_string(value: str) -> str:
    """A C# regular string literal for value."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def data_lines(path: str):
    """(line number, line) for the non-empty, non-comment lines of a DCMTK dictionary."""
    with open(path, encoding="latin-1") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            yield number, line.rstrip()


def parse_range(text: str, where: str) -> tuple[int, int, str]:
    """'gggg', 'gggg-hhhh', 'gggg-o-hhhh', 'gggg-u-hhhh', 'gggg-e-hhhh' -> (low, high, restriction)."""
    m = re.fullmatch(r"([0-9A-Fa-f]{1,4})(?:-(?:([oOuUeE])-)?([0-9A-Fa-f]{1,4}))?", text.strip())
    if not m:
        fail(f"{where}: bad tag part '{text}'")
    low = int(m.group(1), 16)
    if m.group(3) is None:
        return low, low, ""
    high = int(m.group(3), 16)
    restriction = (m.group(2) or "e").lower()
    if high < low:
        fail(f"{where}: empty range '{text}'")
    return low, high, restriction


def dic_source_note(path: str) -> str:
    """The 'Generated automatically from DICOM PS 3.6-...' line of dicom.dic, if any."""
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = re.match(r"#\s*(Generated automatically from .*?)\.?\s*$", line)
            if m:
                return m.group(1)
    return ""


# --------------------------------------------------------------------------------------
# dicom.dic
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StandardEntry:
    group_low: int
    group_high: int
    element_low: int
    element_high: int
    vr: str
    keyword: str
    vm: str
    retired: bool

    @property
    def is_range(self) -> bool:
        return self.group_low != self.group_high or self.element_low != self.element_high


def parse_standard(path: str) -> list[StandardEntry]:
    entries: dict[tuple[int, int, int, int], StandardEntry] = {}
    skipped_pseudo = 0
    for number, line in data_lines(path):
        where = f"{path}:{number}"
        fields = line.split("\t")
        if len(fields) < 4 or len(fields) > 5:
            fail(f"{where}: expected 4 or 5 tab-separated fields, got {len(fields)}")
        tag, vr, keyword, vm = (x.strip() for x in fields[:4])
        version = fields[4].strip() if len(fields) == 5 else "DICOM"
        if version in PSEUDO_VERSIONS:
            skipped_pseudo += 1
            continue
        m = re.fullmatch(r"\(([^,]+),([^,]+)\)", tag)
        if not m:
            fail(f"{where}: bad tag '{tag}'")
        g_low, g_high, g_restr = parse_range(m.group(1), where)
        e_low, e_high, e_restr = parse_range(m.group(2), where)
        if g_restr not in ("", "e"):
            fail(f"{where}: group range restriction '-{g_restr}-' is not representable")
        if e_restr not in ("", "e", "u"):
            fail(f"{where}: element range restriction '-{e_restr}-' is not representable")
        if g_restr == "e" and g_low % 2:
            fail(f"{where}: even group range starting at an odd group")
        if vr not in KNOWN_VRS:
            fail(f"{where}: unknown VR '{vr}'")
        retired = keyword.startswith("RETIRED_") or version.endswith("/retired") or version == "retired"
        if keyword.startswith("RETIRED_"):
            keyword = keyword[len("RETIRED_"):]
        check_identifier(keyword, where)
        if not re.fullmatch(r"\d+(-(\d+)?n|-\d+)?|\d*n", vm):
            fail(f"{where}: bad VM '{vm}'")
        key = (g_low, g_high, e_low, e_high)
        if key in entries:
            note(f"{where}: ({g_low:04X},{e_low:04X}) listed again; the later line wins")
        entries[key] = StandardEntry(g_low, g_high, e_low, e_high, vr, keyword, vm, retired)
    if skipped_pseudo:
        note(f"dicom.dic: skipped {skipped_pseudo} DCMTK pseudo entries ({', '.join(sorted(PSEUDO_VERSIONS))})")
    return sorted(entries.values(), key=lambda e: (e.group_low, e.element_low, e.group_high, e.element_high))


# --------------------------------------------------------------------------------------
# private.dic
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrivateEntry:
    group: int
    creator: str
    offset: int
    vr: str
    keyword: str
    vm: str


def parse_private(path: str) -> list[PrivateEntry]:
    entries: dict[tuple[int, str, int], PrivateEntry] = {}
    ranges = 0
    skipped_blocks = 0
    for number, line in data_lines(path):
        where = f"{path}:{number}"
        fields = line.split("\t")
        if len(fields) < 3 or len(fields) > 5:
            fail(f"{where}: expected 3 to 5 tab-separated fields, got {len(fields)}")
        tag = fields[0].strip()
        vr = fields[1].strip() or "UN"
        keyword = fields[2].strip()
        vm = fields[3].strip() if len(fields) > 3 and fields[3].strip() else "1"
        m = re.fullmatch(r'\(([^,"]+),"([^"]*)",([0-9A-Fa-f]+)\)', tag)
        if not m:
            fail(f"{where}: bad private tag '{tag}'")
        g_low, g_high, g_restr = parse_range(m.group(1), where)
        creator = m.group(2)
        element_text = m.group(3)
        if vr not in KNOWN_VRS:
            fail(f"{where}: unknown VR '{vr}'")
        if not creator:
            fail(f"{where}: empty private creator")
        element = int(element_text, 16)
        if len(element_text) <= 2:
            offset = element
        elif len(element_text) == 4 and (element >> 8) in (0x00, 0x10):
            offset = element & 0xFF
        else:
            skipped_blocks += 1
            continue
        if g_restr == "":
            groups = [g_low]
        elif g_restr == "o":
            groups = [g for g in range(g_low, g_high + 1) if g % 2 == 1]
        elif g_restr == "e":
            groups = list(range(g_low, g_high + 1, 2))
        else:
            groups = list(range(g_low, g_high + 1))
        if g_low != g_high:
            ranges += 1
        for group in groups:
            if group % 2 == 0:
                fail(f"{where}: private group {group:04X} is even")
            key = (group, creator, offset)
            entry = PrivateEntry(group, creator, offset, vr, keyword, vm)
            old = entries.get(key)
            if old is not None and old != entry:
                note(f"{where}: ({group:04X},\"{creator}\",{offset:02X}) redefined; the later line wins")
            entries[key] = entry
    if ranges:
        note(f"private.dic: expanded {ranges} group-range lines to one entry per group")
    if skipped_blocks:
        note(f"private.dic: skipped {skipped_blocks} lines in a second private block (element xxee with xx not 00/10)")
    return sorted(entries.values(), key=lambda e: (e.group, e.creator, e.offset))


# --------------------------------------------------------------------------------------
# dcuid.h
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UidEntry:
    uid: str
    keyword: str
    type: str
    retired: bool
    description: str


DEFINE_RE = re.compile(r'^\s*#\s*define\s+(UID_\w+)\s+"([^"]*)"\s*(?://(.*)|/\*(.*?)\*/)?\s*$')
NUMERIC_UID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


def classify_uid(name: str, uid: str) -> str:
    # Every registered transfer syntax is 1.2.840.10008.1.2[.n...]; the name alone is not
    # enough (UID_LDAP_dicomTransferSyntax is an LDAP OID).
    if uid == "1.2.840.10008.1.2" or uid.startswith("1.2.840.10008.1.2."):
        return "TransferSyntax"
    if "MetaSOPClass" in name:
        return "MetaSopClass"
    if name.endswith("ApplicationContext") or uid.startswith("1.2.840.10008.3.1.1."):
        return "ApplicationContext"
    if name.endswith(("SOPInstance", "FrameOfReference")):
        return "WellKnownInstance"
    if name.endswith("ServiceClass"):
        return "Other"
    if re.search(r"Storage(For[A-Z]\w*)?$", name):
        return "SopClass"
    if (name.endswith(("SOPClass", "InformationModel", "Retrieve", "RetrieveWithoutBulkData",
                       "Verification", "Query", "RealTimeCommunication"))
            or name.startswith(("FIND", "MOVE", "GET"))):
        return "SopClass"
    return "Other"


def uid_sort_key(uid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in uid.split("."))


def parse_uids(path: str) -> list[UidEntry]:
    with open(path, encoding="latin-1") as f:
        lines = [line.rstrip("\r\n") for line in f]

    entries: dict[str, UidEntry] = {}
    doc: list[str] = []        # text of the doc comment directly above the current line
    in_block = False
    block: list[str] = []
    excluded = 0
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if in_block:
            text = stripped
            end = text.find("*/")
            if end >= 0:
                text = text[:end]
                in_block = False
            block.append(text.lstrip("*").strip())
            if not in_block:
                doc = [x for x in block if x]
            continue
        if stripped.startswith("/**"):
            body = stripped[3:]
            end = body.find("*/")
            if end >= 0:
                doc = [body[:end].strip()]
            else:
                in_block = True
                block = [body.strip()]
            continue
        if stripped.startswith("///"):
            doc = doc + [stripped[3:].strip()] if doc else [stripped[3:].strip()]
            continue
        m = DEFINE_RE.match(line)
        if not m:
            doc = []
            continue
        name, value = m.group(1), m.group(2)
        trailing = (m.group(3) or m.group(4) or "").strip()
        description = " ".join(doc).strip()
        doc = []
        if (not value.startswith(DICOM_UID_ROOT) or value.startswith(DCMTK_ROOTS)
                or not NUMERIC_UID_RE.match(value) or len(value) > 64):
            excluded += 1
            continue
        keyword = name[len("UID_"):]
        retired = False
        draft = False
        if keyword.startswith("RETIRED_"):
            keyword = keyword[len("RETIRED_"):]
            retired = True
        if keyword.startswith("DRAFT_"):
            keyword = keyword[len("DRAFT_"):]
            retired = True
            draft = True
        if re.search(r"\bretired\b", description, re.IGNORECASE) or re.search(r"\bretired\b", trailing, re.IGNORECASE):
            retired = True
        uid_type = classify_uid(keyword, value)
        if value in TRANSFER_SYNTAX_KEYWORDS:
            keyword = TRANSFER_SYNTAX_KEYWORDS[value]
        elif keyword in SOP_CLASS_KEYWORDS:
            keyword = SOP_CLASS_KEYWORDS[keyword]
        elif uid_type == "TransferSyntax":
            note(f"{path}:{number}: transfer syntax {value} has no PS3.6 keyword in the table; keeping '{keyword}'")
        elif re.match(r"^(FIND|MOVE|GET)[A-Z]", keyword):
            m2 = re.match(r"^(FIND|MOVE|GET)(\w+)$", keyword)
            assert m2
            keyword = m2.group(2) + m2.group(1).capitalize()
            note(f"{path}:{number}: {name} not in the Q/R keyword table; using '{keyword}'")
        if draft:
            keyword += "Trial"
        if value in entries:
            fail(f"{path}:{number}: UID {value} defined twice")
        entries[value] = UidEntry(value, keyword, uid_type, retired, description)
    if excluded:
        note(f"dcuid.h: excluded {excluded} UID_ defines that are not registered DICOM UIDs")

    # Unique, valid keywords: a retired UID sharing its keyword with an active one gets the
    # suffix "Retired" (as PS3.6 does, e.g. UltrasoundImageStorageRetired); any other clash
    # gets a numeric suffix.
    result: list[UidEntry] = []
    by_keyword: dict[str, list[UidEntry]] = {}
    for entry in sorted(entries.values(), key=lambda e: uid_sort_key(e.uid)):
        by_keyword.setdefault(entry.keyword, []).append(entry)
    used: set[str] = set()
    renamed: dict[str, str] = {}
    for keyword, group in sorted(by_keyword.items()):
        if len(group) == 1:
            continue
        for entry in group:
            if entry.retired and any(not other.retired for other in group):
                renamed[entry.uid] = keyword + "Retired"
    for entry in sorted(entries.values(), key=lambda e: uid_sort_key(e.uid)):
        keyword = renamed.get(entry.uid, entry.keyword)
        candidate, n = keyword, 2
        while candidate in used:
            candidate = f"{keyword}{n}"
            n += 1
        if candidate != entry.keyword:
            note(f"dcuid.h: {entry.uid} keyword '{entry.keyword}' -> '{candidate}' (duplicate)")
        used.add(candidate)
        check_identifier(candidate, f"dcuid.h {entry.uid}")
        result.append(UidEntry(entry.uid, candidate, entry.type, entry.retired, entry.description))
    return result


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def header(sources: list[str], version: str, extra: str = "") -> list[str]:
    lines = [
        "// <auto-generated>",
        f"//     Generated by {SCRIPT_PATH} from",
    ]
    lines += [f"//     {src}" for src in sources]
    lines.append(f"//     (DCMTK {version}{'; ' + extra if extra else ''}).")
    lines.append("//     Do not edit: change the script and run `python3 scripts/generate-dictionary.py`.")
    lines.append("// </auto-generated>")
    lines.append("")
    lines.append("#nullable enable")
    lines.append("")
    return lines


def table_field(value: str, where: str) -> str:
    # The tables are tab- and newline-separated: a field may hold neither.
    if "\t" in value or "\n" in value or '"""""' in value:
        fail(f"{where}: '{value}' cannot go into the generated table")
    return value


def write_dictionary(path: str, standard: list[StandardEntry], private: list[PrivateEntry], sources, version, extra):
    # A table in one raw string literal, parsed once at start-up: a method constructing ~11,000 objects would take
    # the JIT seconds to compile (measured: 2.8 s), the table parses in milliseconds.
    out = header(sources, version, extra)
    out += [
        "namespace Gateway.Dicom.Dictionary;",
        "",
        "public sealed partial class DicomDictionary",
        "{",
        "    // group low, group high, element low, element high (hex), VR, keyword, VM, R when retired else -",
        '    private const string StandardTable = """""',
    ]
    for e in standard:
        out.append(
            f"        {e.group_low:04X}\t{e.group_high:04X}\t{e.element_low:04X}\t{e.element_high:04X}\t"
            f"{table_field(e.vr, e.keyword)}\t{table_field(e.keyword, e.keyword)}\t{table_field(e.vm, e.keyword)}\t{'R' if e.retired else '-'}")
    out += [
        '        """"";',
        "",
        "    // group (hex), private creator, element offset (hex), VR, keyword, VM",
        '    private const string PrivateTable = """""',
    ]
    for e in private:
        out.append(
            f"        {e.group:04X}\t{table_field(e.creator, e.keyword)}\t{e.offset:02X}\t"
            f"{table_field(e.vr, e.keyword)}\t{table_field(e.keyword, e.keyword)}\t{table_field(e.vm, e.keyword)}")
    out += ['        """"";', "}", ""]
    write_file(path, out)


def write_tags(path: str, standard: list[StandardEntry], sources, version, extra) -> int:
    out = header(sources, version, extra)
    out += [
        "namespace Gateway.Dicom;",
        "",
        "/// <summary>The tags of the PS3.6 data dictionary that are not retired, by keyword.</summary>",
        "public static partial class DicomTags",
        "{",
    ]
    used: set[str] = set()
    count = 0
    first = True
    for e in standard:
        if e.is_range or e.retired:
            continue
        if e.keyword in used:
            note(f"dicom.dic: keyword '{e.keyword}' used again at ({e.group_low:04X},{e.element_low:04X}); no DicomTags field")
            continue
        used.add(e.keyword)
        if not first:
            out.append("")
        first = False
        out.append(
            f"    /// <summary>({e.group_low:04X},{e.element_low:04X}) {xml_text(e.keyword)}: "
            f"{xml_text(e.vr)}, VM {xml_text(e.vm)}.</summary>")
        out.append(f"    public static DicomTag {e.keyword} => new(0x{e.group_low:04X}, 0x{e.element_low:04X});")
        count += 1
    out += ["}", ""]
    write_file(path, out)
    return count


def write_uids(path: str, uids: list[UidEntry], sources, version) -> int:
    out = header(sources, version)
    out += [
        "namespace Gateway.Dicom;",
        "",
        "/// <summary>Registered DICOM UIDs (PS3.6 Annex A) that are not retired, by keyword.</summary>",
        "public static partial class DicomUids",
        "{",
    ]
    count = 0
    for e in uids:
        if e.retired and e.uid not in RETIRED_PUBLIC_UIDS:
            continue
        description = e.description or e.keyword
        description = re.sub(r"\s+", " ", description).strip().rstrip(".")
        description = re.sub(r"\s*(-\s*RETIRED|\(RETIRED\))", "", description)
        kind = TYPE_TEXT[e.type] + (", retired" if e.retired else "")
        out.append(f"    /// <summary>{e.uid}: {xml_text(description)} ({kind}).</summary>")
        out.append(f"    public static DicomUid {e.keyword} => new({cs_string(e.uid)});")
        out.append("")
        count += 1
    out += [
        "    private static DicomUidInfo[] CreateRegistry() =>",
        "    [",
    ]
    for e in uids:
        out.append(
            f"        new(new DicomUid({cs_string(e.uid)}), {cs_string(e.keyword)}, DicomUidType.{e.type}, "
            f"{'true' if e.retired else 'false'}),")
    out += ["    ];", "}", ""]
    write_file(path, out)
    return count


def write_file(path: str, lines: list[str]) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))


def dcmtk_version() -> str:
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "dcmtk"],
            capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    version = result.stdout.strip()
    return version if result.returncode == 0 and version else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dicom-dic", default=DEFAULT_DICOM_DIC, help="DCMTK dicom.dic (default: %(default)s)")
    parser.add_argument("--private-dic", default=DEFAULT_PRIVATE_DIC, help="DCMTK private.dic (default: %(default)s)")
    parser.add_argument("--dcuid-h", default=DEFAULT_DCUID_H, help="DCMTK dcuid.h (default: %(default)s)")
    parser.add_argument("--repo-root", default=".", help="repository root the outputs are written under (default: .)")
    parser.add_argument("--dcmtk-version", default=None,
                        help="version written into the headers (default: dpkg-query's dcmtk version, else 'unknown')")
    args = parser.parse_args()

    version = args.dcmtk_version or dcmtk_version()
    standard = parse_standard(args.dicom_dic)
    private = parse_private(args.private_dic)
    uids = parse_uids(args.dcuid_h)
    ps36 = dic_source_note(args.dicom_dic)

    root = args.repo_root
    write_dictionary(os.path.join(root, OUT_DICTIONARY), standard, private,
                     [args.dicom_dic, args.private_dic], version, ps36)
    tag_count = write_tags(os.path.join(root, OUT_TAGS), standard, [args.dicom_dic], version, ps36)
    uid_fields = write_uids(os.path.join(root, OUT_UIDS), uids, [args.dcuid_h], version)

    by_type: dict[str, int] = {}
    for u in uids:
        by_type[u.type] = by_type.get(u.type, 0) + 1
    note(f"DCMTK version: {version}")
    note(f"standard entries: {len(standard)} ({sum(1 for e in standard if e.is_range)} ranges, "
         f"{sum(1 for e in standard if e.retired)} retired)")
    note(f"private entries: {len(private)}")
    note(f"DicomTags fields: {tag_count}")
    note(f"UID registry: {len(uids)} ({', '.join(f'{k} {v}' for k, v in sorted(by_type.items()))}; "
         f"{sum(1 for u in uids if u.retired)} retired); DicomUids fields: {uid_fields}")


if __name__ == "__main__":
    main()
