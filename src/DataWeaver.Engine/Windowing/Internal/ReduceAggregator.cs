namespace DataWeaver.Windowing.Internal;

/// <summary>The state of a reduce for one key in one window: the value so far and the arrival number of its first record.</summary>
internal struct ReduceAccumulator<T>
{
    public bool HasValue;
    public long FirstSequence;
    public T Value;
}

/// <summary>Folds the records of a key in a window with a user reducer, in arrival order. A struct: the stage is specialized for it.</summary>
internal readonly struct ReduceAggregator<T>(Func<T, T, T> reducer) : IWindowAggregator<T, ReduceAccumulator<T>, T>
{
    public bool SizeVaries => false;

    public ReduceAccumulator<T> Create() => default;

    public void Add(ref ReduceAccumulator<T> accumulator, T record, WindowElement element)
    {
        if (accumulator.HasValue)
        {
            accumulator.Value = reducer(accumulator.Value, record);
            return;
        }

        accumulator.HasValue = true;
        accumulator.FirstSequence = element.Sequence;
        accumulator.Value = record;
    }

    public void Merge(ref ReduceAccumulator<T> into, ref ReduceAccumulator<T> other)
    {
        if (!other.HasValue)
        {
            return;
        }

        if (!into.HasValue)
        {
            into = other;
            return;
        }

        // Two sessions joined: the one whose first record arrived first goes on the left.
        if (other.FirstSequence < into.FirstSequence)
        {
            into.Value = reducer(other.Value, into.Value);
            into.FirstSequence = other.FirstSequence;
        }
        else
        {
            into.Value = reducer(into.Value, other.Value);
        }
    }

    public T Result(ref ReduceAccumulator<T> accumulator) => accumulator.Value;

    public long EstimateBytes(ref ReduceAccumulator<T> accumulator) => 0;
}
