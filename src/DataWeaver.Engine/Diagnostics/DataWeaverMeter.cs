namespace DataWeaver.Diagnostics;

/// <summary>
/// The engine's <see cref="System.Diagnostics.Metrics.Meter"/>: its name and version. Listen to it with
/// <c>dotnet-counters monitor --counters DataWeaver</c>, a <see cref="System.Diagnostics.Metrics.MeterListener"/>,
/// or OpenTelemetry (<c>AddMeter(DataWeaverMeter.Name)</c>, or <c>AddDataWeaverInstrumentation()</c> from
/// DataWeaver.Hosting). The instruments are listed in <see cref="DataWeaverInstruments"/>, their tags in
/// <see cref="DataWeaverTags"/>.
/// </summary>
/// <remarks>
/// Every instrument costs next to nothing while no listener is attached: counters are added to per batch (never per
/// record) and only when the instrument is enabled; observable instruments are read only when a listener collects.
/// Tag values are names (pipeline, stage, block, sink), never connector settings, so secrets never become tags.
/// </remarks>
public static class DataWeaverMeter
{
    /// <summary>The meter's name: <c>DataWeaver</c>.</summary>
    public const string Name = "DataWeaver";

    /// <summary>Gets the meter's version: the version of the DataWeaver.Engine assembly.</summary>
    public static string Version { get; } = typeof(DataWeaverMeter).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";
}
