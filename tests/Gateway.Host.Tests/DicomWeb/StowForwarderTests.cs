using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Stow;
using Gateway.Host.Bridge;

namespace Gateway.Host.Tests.DicomWeb;

public sealed class StowForwarderTests
{
    [Fact]
    public void Outcomes_StowAnswer_NamesStoredAndFailedInstancesWithTheirReasons()
    {
        var answer = new StowResponse();
        answer.Add(StowInstanceResult.Stored("1.2.840.10008.5.1.4.1.1.2", "1.2.3.1"));
        answer.Add(StowInstanceResult.Stored("1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", warning: StowWarningReason.CoercionOfDataElements));
        answer.Add(StowInstanceResult.Failed("1.2.840.10008.5.1.4.1.1.2", "1.2.3.3", StowFailureReason.OutOfResources));
        answer.Add(StowInstanceResult.Failed("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", StowFailureReason.CannotUnderstand));

        Dictionary<string, StowForwarder.Outcome> outcomes = StowForwarder.Outcomes(DicomJsonReader.Parse(answer.ToJson()));

        Assert.Equal(new StowForwarder.Outcome(true, null), outcomes["1.2.3.1"]);
        Assert.Equal(new StowForwarder.Outcome(true, null), outcomes["1.2.3.2"]);
        Assert.Equal(new StowForwarder.Outcome(false, 0xA700), outcomes["1.2.3.3"]);
        Assert.Equal(new StowForwarder.Outcome(false, 0xC000), outcomes["1.2.3.4"]);
        Assert.Equal(4, outcomes.Count);
    }
}
