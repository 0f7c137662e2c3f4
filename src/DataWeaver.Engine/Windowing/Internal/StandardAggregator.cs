namespace DataWeaver.Windowing.Internal;

/// <summary>The state of the built-in aggregates of one key in one window.</summary>
internal struct StandardAccumulator
{
    public long Count;
    public double Sum;
    public double Min;
    public double Max;
    public long FirstTicks;
    public long FirstSequence;
    public double First;
    public long LastTicks;
    public long LastSequence;
    public double Last;
    public HashSet<double>? Distinct;
    public HyperLogLogSketch? Sketch;

    // The first CollectLimit values by arrival sequence, in sequence order.
    public List<(long Sequence, double Value)>? Values;
}

/// <summary>
/// Count, sum, min, max, first, last, and when asked the exact distinct count and the first N values. A struct: the
/// stage's code is specialized for it.
/// </summary>
internal readonly struct StandardAggregator<T>(Func<T, double> value, bool distinct, int collectLimit, int sketchPrecision = 0) : IWindowAggregator<T, StandardAccumulator, StandardAccumulator>
{
    private const long SetEntryBytes = 40;
    private const long ListEntryBytes = 24;
    private const long CollectionBytes = 96;

    public bool SizeVaries => distinct || collectLimit > 0; // a sketch has its full size from Create: counted once per key

    public StandardAccumulator Create() => new()
    {
        Min = double.PositiveInfinity,
        Max = double.NegativeInfinity,
        FirstTicks = long.MaxValue,
        LastTicks = long.MinValue,
        Distinct = distinct ? [] : null,
        Values = collectLimit > 0 ? [] : null,
        Sketch = sketchPrecision > 0 ? new HyperLogLogSketch(sketchPrecision) : null,
    };

    public void Add(ref StandardAccumulator a, T record, WindowElement element)
    {
        var v = value(record);
        a.Count++;
        a.Sum += v;
        a.Min = Math.Min(a.Min, v);
        a.Max = Math.Max(a.Max, v);
        var ticks = element.TimestampTicks;
        if (ticks < a.FirstTicks || (ticks == a.FirstTicks && element.Sequence < a.FirstSequence))
        {
            a.FirstTicks = ticks;
            a.FirstSequence = element.Sequence;
            a.First = v;
        }

        if (ticks > a.LastTicks || (ticks == a.LastTicks && element.Sequence > a.LastSequence))
        {
            a.LastTicks = ticks;
            a.LastSequence = element.Sequence;
            a.Last = v;
        }

        a.Distinct?.Add(v);
        a.Sketch?.Add(v);
        if (a.Values is { } values && values.Count < collectLimit)
        {
            values.Add((element.Sequence, v)); // records reach one accumulator in sequence order
        }
    }

    public void Merge(ref StandardAccumulator into, ref StandardAccumulator other)
    {
        into.Count += other.Count;
        into.Sum += other.Sum;
        into.Min = Math.Min(into.Min, other.Min);
        into.Max = Math.Max(into.Max, other.Max);
        if (other.FirstTicks < into.FirstTicks || (other.FirstTicks == into.FirstTicks && other.FirstSequence < into.FirstSequence))
        {
            into.FirstTicks = other.FirstTicks;
            into.FirstSequence = other.FirstSequence;
            into.First = other.First;
        }

        if (other.LastTicks > into.LastTicks || (other.LastTicks == into.LastTicks && other.LastSequence > into.LastSequence))
        {
            into.LastTicks = other.LastTicks;
            into.LastSequence = other.LastSequence;
            into.Last = other.Last;
        }

        if (into.Distinct is { } set && other.Distinct is { } more)
        {
            set.UnionWith(more);
        }

        if (into.Sketch is { } sketch && other.Sketch is { } otherSketch)
        {
            sketch.Merge(otherSketch);
        }

        if (into.Values is { } a && other.Values is { } b)
        {
            // Both in sequence order: keep the first CollectLimit of the union.
            var merged = new List<(long, double)>(Math.Min(collectLimit, a.Count + b.Count));
            int i = 0, j = 0;
            while (merged.Count < collectLimit && (i < a.Count || j < b.Count))
            {
                merged.Add(j >= b.Count || (i < a.Count && a[i].Sequence < b[j].Sequence) ? a[i++] : b[j++]);
            }

            into.Values = merged;
        }
    }

    public StandardAccumulator Result(ref StandardAccumulator accumulator) => accumulator;

    public long EstimateBytes(ref StandardAccumulator a) =>
        (a.Distinct is { } set ? CollectionBytes + (set.Count * SetEntryBytes) : 0)
        + (a.Values is { } values ? CollectionBytes + (values.Capacity * ListEntryBytes) : 0)
        + (a.Sketch?.SizeBytes ?? 0);

    /// <summary>The emitted form; copies what the accumulator holds, since it may be updated later.</summary>
    public static WindowResult<TKey> ToResult<TKey>(TKey key, DateTimeOffset start, DateTimeOffset end, StandardAccumulator a, WindowEmission kind)
    {
        double[]? values = null;
        if (a.Values is { } list)
        {
            values = new double[list.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = list[i].Value;
            }
        }

        return new WindowResult<TKey>(key, start, end, a.Count, a.Sum, a.Min, a.Max)
        {
            First = a.First,
            Last = a.Last,
            DistinctCount = a.Distinct?.Count,
            ApproximateDistinctCount = a.Sketch?.Estimate(),
            Values = values,
            IsUpdate = kind == WindowEmission.Update,
            IsEarly = kind == WindowEmission.Early,
        };
    }
}
