namespace Gateway.Policy.Evaluation;

/// <summary>A request's time in the policy's time zone, converted only when a rule with a time window asks for it.</summary>
internal struct LocalClock(DateTimeOffset at, TimeZoneInfo zone)
{
    private DateTime _local;
    private bool _converted;

    public DateTime Now
    {
        get
        {
            if (!_converted)
            {
                _local = ReferenceEquals(zone, TimeZoneInfo.Utc) ? at.UtcDateTime : TimeZoneInfo.ConvertTime(at, zone).DateTime;
                _converted = true;
            }

            return _local;
        }
    }
}
