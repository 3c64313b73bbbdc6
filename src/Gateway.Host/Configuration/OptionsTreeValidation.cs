using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Configuration;

/// <summary>
/// Data-annotation validation of an options object and of every options object under it: nested sections
/// (<c>Gateway:Vlan</c>), dictionary values (<c>Gateway:Upstreams:pacs</c>) and list items. The framework's
/// <c>ValidateDataAnnotations</c> checks the top-level members only, so a <c>[Range]</c> on <c>Gateway:Vlan:Port</c> was
/// never applied and a port of 0 reached the listener. Each error names the setting as it is written in configuration,
/// for example <c>Gateway:Vlan:Port: The field Port must be between 1 and 65535.</c>
/// </summary>
/// <typeparam name="TOptions">The section's options type; nested types are walked when they come from the same assembly.</typeparam>
/// <param name="section">The configuration path of the section (<c>Gateway</c>).</param>
public sealed class OptionsTreeValidation<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    // Options types are trees a few levels deep; a cycle would be a programming error, not configuration.
    private const int MaxDepth = 8;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Walk(options, section, errors, 0);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Walk(object value, string path, List<string> errors, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException($"{path}: options nested deeper than {MaxDepth} levels");
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (ValidationResult result in results)
        {
            string members = string.Join(',', result.MemberNames);
            errors.Add(members.Length == 0 ? $"{path}: {result.ErrorMessage}" : $"{path}:{members}: {result.ErrorMessage}");
        }

        foreach (PropertyInfo property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length != 0 || property.GetMethod is null)
            {
                continue;
            }

            string childPath = path + ":" + property.Name;
            switch (property.GetValue(value))
            {
                case null or string:
                    break;
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Value is not null && IsOptions(entry.Value.GetType()))
                        {
                            Walk(entry.Value, childPath + ":" + entry.Key, errors, depth + 1);
                        }
                    }

                    break;
                case IEnumerable items:
                    int index = 0;
                    foreach (object? item in items)
                    {
                        if (item is not null && IsOptions(item.GetType()))
                        {
                            Walk(item, childPath + ":" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), errors, depth + 1);
                        }

                        index++;
                    }

                    break;
                case object child when IsOptions(child.GetType()):
                    Walk(child, childPath, errors, depth + 1);
                    break;
            }
        }
    }

    // Only the gateway's own options classes are walked: not Uri, TimeSpan or the framework's types.
    private static bool IsOptions(Type type) => type.IsClass && type.Assembly == typeof(TOptions).Assembly;
}
