using Gateway.Policy.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gateway.Policy.Loading;

/// <summary>
/// Turns one policy file's text into a <see cref="YamlNode"/> tree from YamlDotNet's parser events, keeping line and
/// column, and refusing what a policy never needs and an attacker would use: anchors and aliases (alias bombs), tags,
/// several documents, nesting deeper than the limit, overlong scalars, too many nodes, duplicate keys.
/// </summary>
internal static class PolicyYamlParser
{
    /// <summary>Parses; returns the root node (null for an empty file or on a fatal error, which is added to <paramref name="diagnostics"/>).</summary>
    public static YamlNode? Parse(string file, string text, PolicyLoadLimits limits, List<PolicyDiagnostic> diagnostics)
    {
        if (FindDirective(text) is int line)
        {
            // Found by fuzzing: YamlDotNet 18.1.0's scanner spends 15-18 s on a 1 KiB file holding a directive with a long
            // name ("%Yooo...   a") when the file is 1024 or 2048 bytes long, then reports no error. A policy needs no
            // directive (%YAML, %TAG), so none reaches the parser.
            diagnostics.Add(PolicyDiagnostic.Error("yaml-directive", "directives (%YAML, %TAG) are not allowed in policy files", new SourceLocation(file, line, 1)));
            return null;
        }

        var parser = new Parser(new Scanner(new StringReader(text), skipComments: true));
        var stack = new Stack<(YamlNode Node, YamlNode? PendingKey)>();
        YamlNode? root = null;
        int documents = 0;
        int nodes = 0;
        try
        {
            while (parser.MoveNext())
            {
                ParsingEvent e = parser.Current!;
                SourceLocation at = Location(file, e.Start);
                switch (e)
                {
                    case StreamStart or StreamEnd or DocumentEnd:
                        break;
                    case DocumentStart start:
                        if (++documents > 1)
                        {
                            diagnostics.Add(PolicyDiagnostic.Error("yaml-multiple-documents", "a policy file holds one YAML document; split the others into their own files", at));
                            return null;
                        }

                        break;
                    case AnchorAlias:
                        diagnostics.Add(PolicyDiagnostic.Error("yaml-alias", "aliases (*name) are not allowed in policy files: write each value out", at));
                        return null;
                    case NodeEvent node:
                        if (!node.Anchor.IsEmpty)
                        {
                            diagnostics.Add(PolicyDiagnostic.Error("yaml-anchor", "anchors (&name) are not allowed in policy files: write each value out", at));
                            return null;
                        }

                        if (!node.Tag.IsEmpty && !(node is Scalar { Style: not ScalarStyle.Plain } && node.Tag.Value == "!"))
                        {
                            diagnostics.Add(PolicyDiagnostic.Error("yaml-tag", $"tags ({node.Tag.Value}) are not allowed in policy files", at));
                            return null;
                        }

                        if (++nodes > limits.MaxNodesPerFile)
                        {
                            diagnostics.Add(PolicyDiagnostic.Error("limit-nodes", $"the file has more than {limits.MaxNodesPerFile} YAML nodes", at));
                            return null;
                        }

                        YamlNode created;
                        if (node is Scalar scalar)
                        {
                            if (scalar.Value.Length > limits.MaxScalarLength)
                            {
                                diagnostics.Add(PolicyDiagnostic.Error("limit-scalar", $"a value of {scalar.Value.Length} characters; the limit is {limits.MaxScalarLength}", at));
                                return null;
                            }

                            created = YamlNode.Scalar(at, scalar.Value, scalar.Style == ScalarStyle.Plain);
                        }
                        else
                        {
                            if (stack.Count >= limits.MaxDepth)
                            {
                                diagnostics.Add(PolicyDiagnostic.Error("limit-depth", $"nesting deeper than {limits.MaxDepth} levels", at));
                                return null;
                            }

                            created = node is MappingStart ? YamlNode.Mapping(at) : YamlNode.Sequence(at);
                        }

                        if (stack.Count == 0)
                        {
                            root = created;
                        }
                        else if (!Attach(stack, created, diagnostics))
                        {
                            return null;
                        }

                        if (created.Kind != YamlNodeKind.Scalar)
                        {
                            stack.Push((created, null));
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        stack.Pop();
                        break;
                    default:
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            diagnostics.Add(PolicyDiagnostic.Error("yaml-syntax", OneLine(ex), Location(file, ex.Start)));
            return null;
        }
        catch (ArgumentException)
        {
            // YamlDotNet's parser throws this, not a YamlException, for a global tag that is not a valid URI (found by
            // fuzzing: "!!C,[+N"). Tags are refused in policy files anyway.
            diagnostics.Add(PolicyDiagnostic.Error(
                "yaml-tag", "tags are not allowed in policy files (and this one is not even a valid tag)", Location(file, parser.Current?.End ?? Mark.Empty)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some malformed flow collections (found by
            // fuzzing: ": [\ns"). Its message says nothing useful; the last event read is where it stopped.
            diagnostics.Add(PolicyDiagnostic.Error(
                "yaml-syntax", "malformed YAML the parser cannot read (an unclosed [ or { ?)", Location(file, parser.Current?.End ?? Mark.Empty)));
            return null;
        }

        return root;
    }

    // Adds a node to the collection on top of the stack: as a sequence item, a mapping key, or the value of the pending key.
    private static bool Attach(Stack<(YamlNode Node, YamlNode? PendingKey)> stack, YamlNode node, List<PolicyDiagnostic> diagnostics)
    {
        (YamlNode parent, YamlNode? pendingKey) = stack.Pop();
        if (parent.Kind == YamlNodeKind.Sequence)
        {
            parent.Items.Add(node);
            stack.Push((parent, null));
            return true;
        }

        if (pendingKey is null)
        {
            if (node.Kind != YamlNodeKind.Scalar)
            {
                diagnostics.Add(PolicyDiagnostic.Error("yaml-complex-key", "mapping keys must be plain names", node.Location));
                return false;
            }

            foreach (KeyValuePair<YamlNode, YamlNode> entry in parent.Entries)
            {
                if (string.Equals(entry.Key.Value, node.Value, StringComparison.Ordinal))
                {
                    diagnostics.Add(PolicyDiagnostic.Error("duplicate-key", $"'{node.Value}' is given twice in this mapping (first at line {entry.Key.Location.Line})", node.Location));
                    break;
                }
            }

            stack.Push((parent, node));
            return true;
        }

        parent.Entries.Add(new KeyValuePair<YamlNode, YamlNode>(pendingKey, node));
        stack.Push((parent, null));
        return true;
    }

    private static SourceLocation Location(string file, Mark mark) =>
        new(file, (int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));

    private static string OneLine(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is reported separately.
        string message = ex.Message;
        int marker = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && marker >= 0)
        {
            message = message[(marker + 3)..];
        }

        return message.ReplaceLineEndings(" ").Trim();
    }

    // The line (1-based) of a directive: a line starting with '%' before the document's content, where YAML reads one.
    private static int? FindDirective(string text)
    {
        int line = 0;
        foreach (ReadOnlySpan<char> raw in text.AsSpan().EnumerateLines())
        {
            line++;
            ReadOnlySpan<char> trimmed = raw.TrimStart(' ');
            if (raw.TrimStart('\uFEFF').StartsWith("%"))
            {
                return line;
            }

            if (!trimmed.IsEmpty && trimmed[0] != '#')
            {
                return null;
            }
        }

        return null;
    }
}
