using Gateway.Host.Archive;

namespace Gateway.Host.Tests.Archive;

public sealed class UtilisationAlarmTests
{
    [Fact]
    public void Observe_AboveTheThresholdOnEveryPoll_RaisesOnce()
    {
        var alarm = new UtilisationAlarm(0.8);

        UtilisationCrossing[] crossings = [.. new[] { 0.5, 0.85, 0.9, 1.4, 0.81 }.Select(rho => alarm.Observe("PACS", rho))];

        Assert.Equal([UtilisationCrossing.None, UtilisationCrossing.Raised, UtilisationCrossing.None, UtilisationCrossing.None, UtilisationCrossing.None], crossings);
    }

    [Fact]
    public void Observe_BackBelow_ClearsOnlyWithMargin_AndTheNextRiseRaisesAgain()
    {
        var alarm = new UtilisationAlarm(0.8);
        alarm.Observe("PACS", 0.95);

        Assert.Equal(UtilisationCrossing.None, alarm.Observe("PACS", 0.79));
        Assert.Equal(UtilisationCrossing.None, alarm.Observe("PACS", 0.85));
        Assert.Equal(UtilisationCrossing.Cleared, alarm.Observe("PACS", 0.5));
        Assert.Equal(UtilisationCrossing.None, alarm.Observe("PACS", 0.3));
        Assert.Equal(UtilisationCrossing.Raised, alarm.Observe("PACS", 0.81));
    }

    [Fact]
    public void Observe_UnknownUtilisation_ChangesNothing()
    {
        var alarm = new UtilisationAlarm(0.8);
        alarm.Observe("PACS", 2);

        Assert.Equal(UtilisationCrossing.None, alarm.Observe("PACS", null));
        Assert.Equal(UtilisationCrossing.None, alarm.Observe("PACS", double.NaN));
        Assert.Equal(UtilisationCrossing.None, alarm.Observe("PACS", 3));
        Assert.Equal(UtilisationCrossing.None, alarm.Observe("AI", null));
    }

    [Fact]
    public void Observe_DestinationsAreIndependent()
    {
        var alarm = new UtilisationAlarm(0.8);

        Assert.Equal(UtilisationCrossing.Raised, alarm.Observe("PACS", 0.9));
        Assert.Equal(UtilisationCrossing.Raised, alarm.Observe("AI", 0.9));
        Assert.Equal(UtilisationCrossing.Cleared, alarm.Observe("PACS", 0.1));
        Assert.Equal(UtilisationCrossing.None, alarm.Observe("AI", 0.9));
    }
}
