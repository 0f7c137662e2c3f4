using System.Runtime.CompilerServices;
using DataWeaver.Records;

namespace DataWeaver.Connectors.Generator;

/// <summary>
/// Generates records from their sequence number: a fixed count, or an endless stream, optionally at a rate.
/// The record with sequence number n has resume position <c>0@(n+1)</c>.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class GeneratorSource<T> : SourceConnector<T>, ISourceProgress
{
    private readonly Func<long, T> _generate;
    private long _generated = -1;

    /// <summary>Creates the generator.</summary>
    /// <param name="generate">Makes the record of a sequence number. MUST be thread-safe and MUST NOT block.</param>
    /// <param name="options">Count, rate and start; <see langword="null"/> uses the defaults (endless, unthrottled).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>generator</c>.</param>
    public GeneratorSource(Func<long, T> generate, GeneratorOptions? options = null, string? name = null)
        : base(name ?? "generator")
    {
        ArgumentNullException.ThrowIfNull(generate);
        _generate = generate;
        Options = options ?? new GeneratorOptions();
        Options.Validate();
    }

    /// <summary>Gets the generator's options.</summary>
    public GeneratorOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>Known with a <see cref="GeneratorOptions.Count"/>, once a run has started: records generated of the count.</remarks>
    public SourceProgress? Progress => Options.Count is { } count && Interlocked.Read(ref _generated) is >= 0 and var generated
        ? new SourceProgress(generated, count, SourceProgressUnit.Records)
        : null;

    /// <inheritdoc />
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = new Reader(this);
        while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } record)
        {
            yield return record.Item;
        }
    }

    /// <inheritdoc />
    public override SourceReader<T> CreateReader() => new Reader(this);

    private sealed class Reader(GeneratorSource<T> source) : SourceReader<T>
    {
        private readonly TimeProvider _time = source.Options.TimeProvider;
        private readonly long _end = source.Options.Count is { } count ? source.Options.Start + count : long.MaxValue;
        private readonly long _startedAt = source.Options.TimeProvider.GetTimestamp();
        private long _next = Started(source);

        private static long Started(GeneratorSource<T> source)
        {
            Interlocked.Exchange(ref source._generated, 0);
            return source.Options.Start;
        }

        public override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return false; // a drain: nothing was read ahead
            }

            var allowed = await AllowedAsync(cancellationToken).ConfigureAwait(false);
            var end = Math.Min(_end, Math.Min(_next + buffer.Remaining, allowed));
            var generate = source._generate;
            for (; _next < end; _next++)
            {
                buffer.Add(generate(_next), new SourcePosition(0, _next + 1));
            }

            Interlocked.Exchange(ref source._generated, _next - source.Options.Start);

            return _next < _end;
        }

        public async ValueTask<(T Item, long Sequence)?> NextAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_next >= _end)
            {
                return null;
            }

            await AllowedAsync(cancellationToken).ConfigureAwait(false);
            var sequence = _next++;
            Interlocked.Exchange(ref source._generated, _next - source.Options.Start);
            return (source._generate(sequence), sequence);
        }

        /// <summary>The sequence number up to which records may be generated now, waiting until at least one may.</summary>
        private async ValueTask<long> AllowedAsync(CancellationToken cancellationToken)
        {
            if (source.Options.RecordsPerSecond is not { } rate)
            {
                return long.MaxValue;
            }

            while (true)
            {
                var elapsed = _time.GetElapsedTime(_startedAt);
                var allowed = source.Options.Start + (long)(elapsed.TotalSeconds * rate) + 1;
                if (allowed > _next)
                {
                    return allowed;
                }

                var wait = TimeSpan.FromSeconds((_next - allowed + 1) / rate);
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
