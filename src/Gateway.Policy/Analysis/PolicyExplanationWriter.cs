using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Policy.Analysis;

/// <summary>Writes an explanation as text for a person or as JSON for tools.</summary>
public static class PolicyExplanationWriter
{
    /// <summary>The text form (lines end with \n).</summary>
    public static string ToText(PolicyExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        PolicyDecision d = explanation.Decision;
        var text = new StringBuilder();
        text.Append("decision: ").Append(PolicyDecision.OutcomeCode(d.Outcome)).Append(" (").Append(d.Mode == PolicyMode.Observe ? "observe" : "enforce").Append(" mode)\n");
        text.Append("reason:   ").Append(PolicyReasons.Code(d.Reason)).Append('\n');
        text.Append("rule:     ").Append(d.Rule);
        if (explanation.DecidingRule is { } deciding)
        {
            text.Append(" (").Append(deciding.Location.ToString()).Append(')');
        }
        else if (d.Rule == "default-deny")
        {
            text.Append(" (no rule allowed the request" + (d.NearestRule is null ? ")" : "; nearest: " + d.NearestRule + ")"));
        }

        text.Append('\n');
        if (d.Reason == PolicyReason.Allowed)
        {
            text.Append("limits:   ").Append(PolicyText.RateLimit(d.RateLimit)).Append('\n');
        }

        if (d.SecurityAlert)
        {
            text.Append("ALERT:    a known identity was presented without its bindings (possible spoofing)\n");
        }

        text.Append("request:  ").Append(PolicyText.Request(explanation.Request)).Append("\n\n");
        foreach (string line in explanation.Identity)
        {
            text.Append(line).Append('\n');
        }

        if (explanation.NearestRules.Count > 0)
        {
            text.Append('\n').Append(d.Reason == PolicyReason.Allowed ? "other rules (nearest first):\n" : "nearest rules that did not match:\n");
            foreach (RuleExplanation rule in explanation.NearestRules)
            {
                text.Append("  ").Append(rule.Rule).Append(" (").Append(rule.Location.ToString()).Append(")\n");
                foreach (string mismatch in rule.Mismatches)
                {
                    text.Append("    - ").Append(mismatch).Append('\n');
                }

                if (rule.Mismatches.Count == 0)
                {
                    text.Append(d.Reason == PolicyReason.Allowed
                        ? "    - matches, but an earlier rule decided\n"
                        : "    - matches the request, but the requester's identity was refused first (see above)\n");
                }
            }
        }
        else if (explanation.DecidingRule is null)
        {
            text.Append("\nno rule is written for this kind of request\n");
        }

        return text.ToString();
    }

    /// <summary>The JSON form: one object, indented, keys in kebab-case.</summary>
    public static string ToJson(PolicyExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        PolicyDecision d = explanation.Decision;
        PolicyRequest r = explanation.Request;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("decision", PolicyDecision.OutcomeCode(d.Outcome));
            json.WriteString("mode", d.Mode == PolicyMode.Observe ? "observe" : "enforce");
            json.WriteString("reason", PolicyReasons.Code(d.Reason));
            json.WriteString("rule", d.Rule);
            WriteOptional(json, "nearest-rule", d.NearestRule);
            json.WriteBoolean("security-alert", d.SecurityAlert);
            WriteOptional(json, "principal", d.Principal);
            WriteOptional(json, "service", d.Service);
            json.WriteStartObject("rate-limit");
            json.WriteNumber("associations-per-minute", d.RateLimit.AssociationsPerMinute);
            json.WriteNumber("instances-per-minute", d.RateLimit.InstancesPerMinute);
            json.WriteNumber("requests-per-minute", d.RateLimit.RequestsPerMinute);
            json.WriteEndObject();
            json.WritePropertyName("request");
            RecordedRequestWriter.WriteRequest(json, r);
            json.WriteStartArray("identity");
            foreach (string line in explanation.Identity)
            {
                json.WriteStringValue(line.TrimStart());
            }

            json.WriteEndArray();
            if (explanation.DecidingRule is { } deciding)
            {
                json.WritePropertyName("deciding-rule");
                WriteRule(json, deciding);
            }

            json.WriteStartArray("nearest-rules");
            foreach (RuleExplanation rule in explanation.NearestRules)
            {
                WriteRule(json, rule);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteRule(Utf8JsonWriter json, RuleExplanation rule)
    {
        json.WriteStartObject();
        json.WriteString("rule", rule.Rule);
        json.WriteString("file", rule.Location.File);
        json.WriteNumber("line", rule.Location.Line);
        json.WriteNumber("column", rule.Location.Column);
        json.WriteStartArray("mismatches");
        foreach (string mismatch in rule.Mismatches)
        {
            json.WriteStringValue(mismatch);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
