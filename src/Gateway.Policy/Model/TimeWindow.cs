namespace Gateway.Policy.Model;

/// <summary>
/// When a rule applies: on some days of the week, from one time of day to another, in the policy's time zone. A window
/// whose end is not after its start crosses midnight (22:00 to 06:00); its days are the days it starts on.
/// </summary>
/// <param name="Days">Bit (1 &lt;&lt; (int)DayOfWeek) per day.</param>
/// <param name="From">Start, inclusive.</param>
/// <param name="To">End, exclusive.</param>
public readonly record struct TimeWindow(byte Days, TimeOnly From, TimeOnly To)
{
    /// <summary>Every day of the week.</summary>
    public const byte AllDays = 0x7F;

    /// <summary>True when the local time falls inside the window.</summary>
    public bool Contains(DateTime local)
    {
        TimeOnly time = TimeOnly.FromDateTime(local);
        if (From < To)
        {
            return IsDay(local.DayOfWeek) && time >= From && time < To;
        }

        // Crosses midnight (or To == From: the whole day from From): the part after midnight belongs to the day before.
        return (time >= From && IsDay(local.DayOfWeek)) || (time < To && IsDay(PreviousDay(local.DayOfWeek)));
    }

    /// <summary>True when the window includes the day.</summary>
    public bool IsDay(DayOfWeek day) => (Days & (1 << (int)day)) != 0;

    /// <summary>True when every moment of <paramref name="other"/> lies in this window (conservative: false when unsure).</summary>
    public bool Covers(TimeWindow other)
    {
        bool wholeDays = From == To && From == TimeOnly.MinValue;
        if (wholeDays && Days == AllDays)
        {
            return true;
        }

        bool daysIncluded = (other.Days & ~Days) == 0;
        bool otherWithinDay = other.From < other.To;
        if (wholeDays)
        {
            return daysIncluded && otherWithinDay;
        }

        return daysIncluded && otherWithinDay && From < To && From <= other.From && other.To <= To;
    }

    private static DayOfWeek PreviousDay(DayOfWeek day) => day == DayOfWeek.Sunday ? DayOfWeek.Saturday : day - 1;
}
