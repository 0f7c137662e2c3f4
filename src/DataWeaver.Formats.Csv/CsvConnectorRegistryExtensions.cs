using CsvHelper;
using DataWeaver.Configuration;
using DataWeaver.Configuration.Formats;

namespace DataWeaver.Formats.Csv;

/// <summary>Registers the <c>csv</c> format for pipeline definition files.</summary>
public static class CsvConnectorRegistryExtensions
{
    /// <summary>Gets the settings of the <c>csv</c> format.</summary>
    public static ConnectorDescriptor Descriptor { get; } = new()
    {
        Description = "CSV (RFC 4180): a header row, then one record per row; cells are strings unless a column says otherwise.",
        Settings =
        [
            new("header", SettingType.Boolean) { Default = "true", Description = "The first row names the columns (and is written first)." },
            new("delimiter", SettingType.String) { Default = ",", Description = "The field delimiter: one ASCII character (\\t for a tab)." },
            new("quoting", SettingType.String) { AllowedValues = ["needed", "always", "whitespace"], Default = "needed", Description = "Quote fields when needed (RFC 4180), always, or also around leading/trailing whitespace." },
            new("columns", SettingType.Mapping) { Default = "from the header, all strings", Description = "Column name -> string | integer | number | boolean | json, in order; required without a header." },
            new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = int.MaxValue, Default = "1MiB", Description = "The longest row." },
        ],
        Validate = Validate,
    };

    /// <summary>Registers the <c>csv</c> format: files for the <c>file</c> source and sink, one row per message for streams.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry.</returns>
    public static ConnectorRegistry AddCsv(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterFormat("csv", s => CsvMessages.Create(OptionsOf(s)), Descriptor)
            .RegisterFileFormat("csv", s => new CsvFileFormat(OptionsOf(s)));
    }

    /// <summary>Reads the format's settings.</summary>
    /// <param name="settings">The validated settings.</param>
    /// <returns>The options.</returns>
    public static CsvFormatOptions OptionsOf(ConnectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CsvFormatOptions
        {
            Header = settings.GetBoolean("header", true),
            Delimiter = Delimiter(settings.GetString("delimiter", ",")!),
            Quoting = settings.GetString("quoting", "needed") switch
            {
                "always" => CsvQuoting.Always,
                "whitespace" => CsvQuoting.WhenNeededOrWhitespace,
                _ => CsvQuoting.WhenNeeded,
            },
            Columns = settings.Get("columns") is { } columns
                ? [.. columns.Properties.Select(p => KeyValuePair.Create(p.Name, Enum.Parse<CsvColumnType>(p.Value.Text ?? "string", ignoreCase: true)))]
                : [],
            MaxRecordBytes = (int)settings.GetSize("maxRecordBytes", 1024 * 1024),
        };
    }

    private static char Delimiter(string text) => text is "\\t" or "tab" ? '\t' : text[0];

    private static IEnumerable<ConfigurationError> Validate(ConnectorSettings settings)
    {
        if (settings.Get("delimiter") is { } delimiter && !(delimiter.Text is "\\t" or "tab" || (delimiter.Text is { Length: 1 } d && char.IsAscii(d[0]) && d[0] is not '"' and not '\r' and not '\n')))
        {
            yield return ConfigurationError.At(delimiter, "The delimiter is one ASCII character other than a quote or a line break (\\t or tab for a tab).");
        }

        if (settings.Get("columns") is { } columns)
        {
            foreach (var column in columns.Properties)
            {
                if (!Enum.TryParse<CsvColumnType>(column.Value.Text, ignoreCase: true, out _) || column.Value.Text is null || char.IsDigit(column.Value.Text[0]))
                {
                    yield return ConfigurationError.At(column.Value, $"The column '{column.Name}' has the type '{column.Value.Text}'; use string, integer, number, boolean or json.");
                }
            }
        }
        else if (!settings.GetBoolean("header", true))
        {
            yield return ConfigurationError.At(settings.Get("header")!, "Without a header, list the columns: columns: { name: string, ... }.", ConfigurationErrorCode.MissingSetting);
        }
    }
}
