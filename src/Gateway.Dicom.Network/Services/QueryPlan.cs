namespace Gateway.Dicom.Network.Services;

/// <summary>A validated identifier: the level to answer at, where the hierarchy starts, and the keys to match.</summary>
/// <param name="Level">The Query/Retrieve Level.</param>
/// <param name="TopLevel">PATIENT for the Patient Root model, STUDY for Study Root (whose STUDY level holds the patient attributes).</param>
/// <param name="Conditions">The keys that are not universal, each at a level at or above <paramref name="Level"/>.</param>
internal sealed record QueryPlan(QueryRetrieveLevel Level, QueryRetrieveLevel TopLevel, IReadOnlyList<QueryCondition> Conditions);
