namespace Gateway.Dicom.Network.Services;

/// <summary>A validated identifier: the level to answer at, where the hierarchy starts, and the keys to match.</summary>
/// <param name="Level">The Query/Retrieve Level.</param>
/// <param name="TopLevel">PATIENT for the Patient Root model, STUDY for Study Root (whose STUDY level holds the patient attributes).</param>
/// <param name="Conditions">The keys that are not universal, each at a level at or above <paramref name="Level"/>.</param>
/// <param name="HasUnsupportedKeys">
/// The identifier holds an Optional Key the index does not support (PS3.4 C.4.1.1.4): a sequence (answered with an empty
/// sequence, never matched) or an attribute it neither stores nor computes at any level.
/// </param>
internal sealed record QueryPlan(QueryRetrieveLevel Level, QueryRetrieveLevel TopLevel, IReadOnlyList<QueryCondition> Conditions, bool HasUnsupportedKeys);
