namespace Gateway.Audit.Records;

/// <summary>Checks a record against the schema's constraints and <see cref="AuditRecordLimits"/>.</summary>
internal static class AuditRecordValidator
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first problem, if any.</summary>
    public static void Validate(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string? problem = FindProblem(record);
        if (problem is not null)
        {
            throw new ArgumentException("invalid audit record: " + problem, nameof(record));
        }
    }

    /// <summary>The first problem of <paramref name="record"/>, or null when it is valid.</summary>
    public static string? FindProblem(AuditRecord record)
    {
        if (!AuditCodes.IsDefined(record.EventId))
        {
            return $"event id {(int)record.EventId} is not one of 110100-110114";
        }

        if (!Enum.IsDefined(record.Action))
        {
            return "unknown event action code";
        }

        if (!Enum.IsDefined(record.Outcome))
        {
            return "outcome must be 0, 4, 8 or 12";
        }

        if (record.EventTime.Year is < 1970 or > 9999)
        {
            return "event time out of range";
        }

        return Text(record.OutcomeDescription, "outcome description", optional: true)
            ?? Codes(record.EventTypeCodes, "event type code")
            ?? Participants(record.ActiveParticipants)
            ?? Source(record.Source)
            ?? Objects(record.ParticipantObjects)
            ?? Policy(record.Policy)
            ?? Text(record.AssociationId, "association id", optional: true);
    }

    private static string? Participants(IReadOnlyList<AuditActiveParticipant>? participants)
    {
        if (participants is null || participants.Count == 0)
        {
            return "at least one active participant is required";
        }

        if (participants.Count > AuditRecordLimits.MaxActiveParticipants)
        {
            return $"more than {AuditRecordLimits.MaxActiveParticipants} active participants";
        }

        foreach (AuditActiveParticipant? p in participants)
        {
            if (p is null)
            {
                return "null active participant";
            }

            string? problem = Text(p.UserId, "user id", optional: false)
                ?? Text(p.AlternativeUserId, "alternative user id", optional: true)
                ?? Text(p.UserName, "user name", optional: true)
                ?? Texts(p.AeTitles, "AE title")
                ?? Codes(p.RoleIdCodes, "role id code")
                ?? Text(p.NetworkAccessPointId, "network access point id", optional: true);
            if (problem is not null)
            {
                return problem;
            }

            if (p.NetworkAccessPointType is { } type && !Enum.IsDefined(type))
            {
                return "network access point type must be 1-5";
            }
        }

        return null;
    }

    private static string? Source(AuditSource? source)
    {
        if (source is null)
        {
            return "the audit source is required";
        }

        if (source.SourceTypeCodes is null || source.SourceTypeCodes.Count > 9 || source.SourceTypeCodes.Any(c => c is < 1 or > 9))
        {
            return "audit source type codes must be 1-9";
        }

        return Text(source.SourceId, "audit source id", optional: false) ?? Text(source.EnterpriseSiteId, "enterprise site id", optional: true);
    }

    private static string? Objects(IReadOnlyList<AuditParticipantObject>? objects)
    {
        if (objects is null)
        {
            return "participant objects must not be null";
        }

        if (objects.Count > AuditRecordLimits.MaxParticipantObjects)
        {
            return $"more than {AuditRecordLimits.MaxParticipantObjects} participant objects";
        }

        int patients = 0;
        foreach (AuditParticipantObject? o in objects)
        {
            if (o is null)
            {
                return "null participant object";
            }

            if (o.IsPatient && ++patients > AuditRecordLimits.MaxIndexedPatients)
            {
                return $"more than {AuditRecordLimits.MaxIndexedPatients} patients in one record";
            }

            string? problem = Text(o.ObjectId, "participant object id", optional: false)
                ?? Code(o.IdTypeCode, "participant object id type code")
                ?? Text(o.Sensitivity, "sensitivity", optional: true)
                ?? Text(o.Name, "participant object name", optional: true)
                ?? Text(o.Description, "participant object description", optional: true)
                ?? Texts(o.StudyUids, "study UID")
                ?? Texts(o.AccessionNumbers, "accession number");
            if (problem is not null)
            {
                return problem;
            }

            if (o.TypeCode is { } type && type is < 1 or > 4)
            {
                return "participant object type code must be 1-4";
            }

            if (o.TypeCodeRole is { } role && role is < 1 or > 24)
            {
                return "participant object type code role must be 1-24";
            }

            if (o.DataLifeCycle is { } cycle && cycle is < 1 or > 15)
            {
                return "participant object data life cycle must be 1-15";
            }

            if (o.Query is { Length: > AuditRecordLimits.MaxQueryBytes })
            {
                return $"query longer than {AuditRecordLimits.MaxQueryBytes} bytes";
            }

            if (o.Details is null || o.Details.Count > AuditRecordLimits.MaxListLength)
            {
                return "too many participant object details";
            }

            foreach (AuditObjectDetail? d in o.Details)
            {
                if (d is null)
                {
                    return "null participant object detail";
                }

                problem = Text(d.Type, "detail type", optional: false) ?? Text(d.Value, "detail value", optional: false);
                if (problem is not null)
                {
                    return problem;
                }
            }

            if (o.SopClasses is null || o.SopClasses.Count > AuditRecordLimits.MaxListLength)
            {
                return "too many SOP classes";
            }

            foreach (AuditSopClass? s in o.SopClasses)
            {
                if (s is null || s.NumberOfInstances < 0)
                {
                    return "SOP class entries need a UID and a non-negative instance count";
                }

                problem = Text(s.Uid, "SOP class UID", optional: false);
                if (problem is not null)
                {
                    return problem;
                }
            }
        }

        return null;
    }

    private static string? Policy(AuditPolicyFacts? policy)
    {
        if (policy is null)
        {
            return null;
        }

        if (!Enum.IsDefined(policy.Decision))
        {
            return "unknown policy decision";
        }

        return Text(policy.RuleId, "policy rule id", optional: false);
    }

    private static string? Codes(IReadOnlyList<AuditCode>? codes, string what)
    {
        if (codes is null || codes.Count > AuditRecordLimits.MaxListLength)
        {
            return $"too many {what}s";
        }

        foreach (AuditCode? code in codes)
        {
            string? problem = Code(code, what);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Code(AuditCode? code, string what)
    {
        if (code is null)
        {
            return $"{what} is required";
        }

        return Text(code.Code, what + " value", optional: false)
            ?? Text(code.CodeSystemName, what + " scheme", optional: false)
            ?? Text(code.Meaning, what + " meaning", optional: false);
    }

    private static string? Texts(IReadOnlyList<string>? values, string what)
    {
        if (values is null || values.Count > AuditRecordLimits.MaxListLength)
        {
            return $"too many {what}s";
        }

        foreach (string? value in values)
        {
            string? problem = Text(value, what, optional: false);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Text(string? value, string what, bool optional)
    {
        if (value is null)
        {
            return optional ? null : $"{what} is required";
        }

        if (value.Length == 0 && !optional)
        {
            return $"{what} is empty";
        }

        if (value.Length > AuditRecordLimits.MaxStringLength)
        {
            return $"{what} is longer than {AuditRecordLimits.MaxStringLength} characters";
        }

        // XML 1.0 cannot carry C0 controls, and a lone surrogate is not text: both would make the ATNA rendering fail later.
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c))
            {
                return $"{what} contains a control character";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"{what} contains an unpaired surrogate";
            }
        }

        return null;
    }
}
