namespace DataWeaver.Connectors.Generator;

/// <summary>Options of a <see cref="GeneratorSource{T}"/>.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Gets how many records to generate.</summary>
    /// <value>The default is <see langword="null"/>: endless (until the pipeline stops). At least 0.</value>
    public long? Count { get; init; }

    /// <summary>Gets the rate at which records are generated.</summary>
    /// <value>The default is <see langword="null"/>: as fast as the pipeline takes them. Positive.</value>
    public double? RecordsPerSecond { get; init; }

    /// <summary>Gets the sequence number of the first record.</summary>
    /// <value>The default is 0. At least 0.</value>
    public long Start { get; init; }

    /// <summary>Gets the clock that paces a rate.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (Count is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), Count, "GeneratorOptions.Count must be at least 0.");
        }

        if (RecordsPerSecond is { } rate && (rate <= 0 || double.IsNaN(rate) || double.IsInfinity(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(RecordsPerSecond), rate, "GeneratorOptions.RecordsPerSecond must be positive and finite.");
        }

        if (Start < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Start), Start, "GeneratorOptions.Start must be at least 0.");
        }
    }
}
