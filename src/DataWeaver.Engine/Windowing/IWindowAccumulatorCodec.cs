using System.Buffers;

namespace DataWeaver.Windowing;

/// <summary>
/// Lets a user aggregator's accumulators leave memory: implemented by an <see cref="IWindowAggregator{T, TAccumulator, TResult}"/>
/// beside that interface, it writes an accumulator to bytes and reads it back, so a window stage with
/// <see cref="WindowOptions.SpillDirectory"/> can move partial aggregates to a spill file at its state budget and combine
/// them again with <see cref="IWindowAggregator{T, TAccumulator, TResult}.Merge"/> when the window closes. An aggregator
/// without it cannot spill: the pipeline's build fails naming the stage. The methods are called on the stage's copy of the
/// aggregator, from one thread at a time, and MUST NOT throw for an accumulator they wrote themselves.
/// </summary>
/// <typeparam name="TAccumulator">The aggregator's per-key, per-window state.</typeparam>
public interface IWindowAccumulatorCodec<TAccumulator>
{
    /// <summary>Writes an accumulator: every byte it needs to be read back, in any layout of the implementation's choice.</summary>
    /// <param name="accumulator">The state written (not changed).</param>
    /// <param name="output">Where the bytes go.</param>
    void Write(ref TAccumulator accumulator, IBufferWriter<byte> output);

    /// <summary>Reads an accumulator back from exactly the bytes <see cref="Write"/> wrote for it.</summary>
    /// <param name="bytes">The bytes written for one accumulator.</param>
    /// <returns>An accumulator equal to the one written; the stage may merge into it and add records to it.</returns>
    TAccumulator Read(ReadOnlySpan<byte> bytes);
}
