using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DataWeaver.Diagnostics;

namespace DataWeaver.Tests.Diagnostics;

/// <summary>
/// A MeterListener on the DataWeaver meter that keeps the measurements of one pipeline (tests run in parallel, each
/// with a pipeline name of its own).
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _measurements = new();

    public MetricsCollector(string pipeline)
    {
        Pipeline = pipeline;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DataWeaverMeter.Name)
            {
                Instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public string Pipeline { get; }

    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

    public IReadOnlyList<Measured> All => [.. _measurements];

    /// <summary>Reads every observable instrument once; returns what they reported for the pipeline.</summary>
    public IReadOnlyList<Measured> Observe()
    {
        var before = _measurements.Count;
        _listener.RecordObservableInstruments();
        return [.. _measurements.Skip(before).Where(m => m.Instrument is ObservableGauge<long> or ObservableGauge<int> or ObservableCounter<long> or ObservableCounter<double>)];
    }

    /// <summary>Sums the measurements of an instrument whose tags include every (key, value) given.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(All, instrument, tags).Sum(m => m.Value);

    public static IEnumerable<Measured> Matching(IEnumerable<Measured> measurements, string instrument, params (string Key, string Value)[] tags) =>
        measurements.Where(m => m.Instrument.Name == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    public void Dispose() => _listener.Dispose();

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        Dictionary<string, string> map = [];
        foreach (var tag in tags)
        {
            map[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        if (map.TryGetValue(DataWeaverTags.Pipeline, out var pipeline) && pipeline == Pipeline)
        {
            _measurements.Enqueue(new Measured(instrument, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), map));
        }
    }

    public sealed record Measured(Instrument Instrument, double Value, IReadOnlyDictionary<string, string> Tags);
}
