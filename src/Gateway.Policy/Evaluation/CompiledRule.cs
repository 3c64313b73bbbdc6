using System.Collections.Frozen;
using Gateway.Dicom;
using Gateway.Policy.Model;

namespace Gateway.Policy.Evaluation;

/// <summary>A flow or role grant for one service, as lookup tables: an operation bit mask, frozen SOP class and destination sets.</summary>
internal sealed class CompiledRule
{
    private static readonly string VerificationUid = DicomUids.Verification.Value;
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FindModels = SopClassCatalog.FindModelSet.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MoveModels = SopClassCatalog.MoveModelSet.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> GetModels = SopClassCatalog.GetModelSet.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> WorklistModels = SopClassCatalog.WorklistModelSet.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly ulong _operations;
    private readonly bool _hasSopClasses;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _sopClasses;
    private readonly bool _hasDestinations;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _destinations;
    private readonly TimeWindow[] _windows;
    private readonly long _maxObjectSize;
    private readonly bool _requireIdentity;
    private readonly FrozenSet<string> _identityRoles;

    public CompiledRule(
        string id,
        IEnumerable<PolicyOperation> operations,
        FrozenSet<string>? sopClasses,
        FrozenSet<string>? moveDestinationAETitles,
        IEnumerable<TimeWindow> windows,
        PolicyRateLimit rateLimit,
        long? maxObjectSize,
        bool requireIdentity = false,
        FrozenSet<string>? identityRoles = null)
    {
        Id = id;
        foreach (PolicyOperation op in operations)
        {
            _operations |= PolicyOperations.Mask(op);
        }

        _hasSopClasses = sopClasses is not null;
        SopClasses = sopClasses ?? FrozenSet<string>.Empty;
        _sopClasses = SopClasses.GetAlternateLookup<ReadOnlySpan<char>>();
        _hasDestinations = moveDestinationAETitles is not null;
        _destinations = (moveDestinationAETitles ?? FrozenSet<string>.Empty).GetAlternateLookup<ReadOnlySpan<char>>();
        _windows = [.. windows];
        RateLimit = rateLimit;
        _maxObjectSize = maxObjectSize ?? long.MaxValue;
        _identityRoles = identityRoles ?? FrozenSet<string>.Empty;
        _requireIdentity = requireIdentity || _identityRoles.Count > 0;
    }

    /// <summary><c>flow:NAME</c> or <c>role:ROLE/GRANT</c>.</summary>
    public string Id { get; }

    public PolicyRateLimit RateLimit { get; }

    /// <summary>The largest object the rule takes, or null for any size.</summary>
    public long? MaxObjectSize => _maxObjectSize == long.MaxValue ? null : _maxObjectSize;

    public FrozenSet<string> SopClasses { get; }

    public bool HasWindows => _windows.Length > 0;

    public ulong OperationMask => _operations;

    /// <summary>How far a failure got: later checks are nearer to a match (used to report the nearest rule).</summary>
    public static int Stage(PolicyReason reason) => reason switch
    {
        PolicyReason.OperationNotAllowed => 1,
        PolicyReason.SopClassRequired or PolicyReason.SopClassNotAllowed => 2,
        PolicyReason.MoveDestinationNotAllowed => 3,
        PolicyReason.OutsideTimeWindow => 4,
        PolicyReason.ObjectTooLarge => 5,
        PolicyReason.IdentityRequired or PolicyReason.IdentityRoleNotAllowed => 6,
        _ => 0,
    };

    /// <summary>True when the rule asks for a verified user identity on the association.</summary>
    public bool RequiresIdentity => _requireIdentity;

    /// <summary>
    /// Checks the association's identity against the rule: none needed, or one present (<paramref name="identified"/>)
    /// holding one of the rule's roles when it names any.
    /// </summary>
    public PolicyReason CheckIdentity(bool identified, IReadOnlySet<string> roles)
    {
        if (!_requireIdentity)
        {
            return PolicyReason.Allowed;
        }

        if (!identified)
        {
            return PolicyReason.IdentityRequired;
        }

        return _identityRoles.Count == 0 || _identityRoles.Overlaps(roles) ? PolicyReason.Allowed : PolicyReason.IdentityRoleNotAllowed;
    }

    /// <summary>Checks a request in order: operation, SOP class, move destination, time window, size.</summary>
    public PolicyReason Check(in PolicyRequest request, ref LocalClock clock)
    {
        PolicyOperation op = request.Operation;
        if ((_operations & PolicyOperations.Mask(op)) == 0)
        {
            return PolicyReason.OperationNotAllowed;
        }

        PolicyReason sop = CheckSopClass(op, Trim(request.SopClassUid));
        if (sop != PolicyReason.Allowed)
        {
            return sop;
        }

        if (op == PolicyOperation.Move && !(_hasDestinations && _destinations.Contains(TrimAE(request.MoveDestination))))
        {
            return PolicyReason.MoveDestinationNotAllowed;
        }

        if (_windows.Length > 0 && !InWindow(clock.Now))
        {
            return PolicyReason.OutsideTimeWindow;
        }

        if (request.ObjectSize is { } size && size > _maxObjectSize)
        {
            return PolicyReason.ObjectTooLarge;
        }

        return PolicyReason.Allowed;
    }

    /// <summary>True when the rule has no time window or one contains the local time.</summary>
    public bool InWindow(DateTime local)
    {
        if (_windows.Length == 0)
        {
            return true;
        }

        for (int i = 0; i < _windows.Length; i++)
        {
            if (_windows[i].Contains(local))
            {
                return true;
            }
        }

        return false;
    }

    private PolicyReason CheckSopClass(PolicyOperation op, ReadOnlySpan<char> uid)
    {
        switch (op)
        {
            case PolicyOperation.Echo:
                return uid.IsEmpty || uid.SequenceEqual(VerificationUid) ? PolicyReason.Allowed : PolicyReason.SopClassNotAllowed;
            case PolicyOperation.Store:
                return uid.IsEmpty ? PolicyReason.SopClassRequired : Allowed(_sopClasses.Contains(uid));
            case PolicyOperation.Find:
                return uid.IsEmpty ? PolicyReason.SopClassRequired : Allowed(FindModels.Contains(uid));
            case PolicyOperation.Worklist:
                return uid.IsEmpty ? PolicyReason.SopClassRequired : Allowed(WorklistModels.Contains(uid));
            case PolicyOperation.Move:
                // The C-MOVE request names an information model; each sub-operation a storage class.
                return uid.IsEmpty ? PolicyReason.SopClassRequired : Allowed(MoveModels.Contains(uid) || _sopClasses.Contains(uid));
            case PolicyOperation.Get:
                return uid.IsEmpty ? PolicyReason.SopClassRequired : Allowed(GetModels.Contains(uid) || _sopClasses.Contains(uid));
            case PolicyOperation.Stow:
                if (!_hasSopClasses)
                {
                    return PolicyReason.Allowed;
                }

                return uid.IsEmpty ? PolicyReason.SopClassRequired : Allowed(_sopClasses.Contains(uid));
            case PolicyOperation.Wado:
                // A WADO-RS request names a SOP class only when the caller knows it (instance-level retrieve).
                return !_hasSopClasses || uid.IsEmpty ? PolicyReason.Allowed : Allowed(_sopClasses.Contains(uid));
            default:
                return PolicyReason.Allowed;
        }
    }

    private static PolicyReason Allowed(bool allowed) => allowed ? PolicyReason.Allowed : PolicyReason.SopClassNotAllowed;

    // UIDs arrive padded with NUL or space to even length (PS3.5 9.1).
    internal static ReadOnlySpan<char> Trim(string? uid) => uid is null ? default : uid.AsSpan().TrimEnd("\0 ");

    // PS3.5 6.2: leading and trailing spaces of an AE title are not significant.
    internal static ReadOnlySpan<char> TrimAE(string? ae) => ae is null ? default : ae.AsSpan().Trim(' ');
}
