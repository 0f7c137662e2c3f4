namespace DataWeaver.Configuration.Formats;

/// <summary>
/// How records are laid out in a file for the <c>file</c> source and sink: lines (json, csv, text), an Avro object
/// container, length-delimited Protobuf messages. A format package registers one with
/// <see cref="FileFormatRegistryExtensions.RegisterFileFormat"/> beside its message format
/// (<see cref="ConnectorRegistry.RegisterFormat"/>). Immutable and thread-safe: every file gets its own reader or writer.
/// </summary>
public abstract class RecordFileFormat
{
    /// <summary>Gets the format's name, as definition files write it.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Gets a value indicating whether the <c>file</c> sink may append to an existing file of this format (a format
    /// with a file header, such as an Avro object container, cannot simply be appended to).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public virtual bool CanAppend => true;

    /// <summary>
    /// Gets a value indicating whether the reader hands out each record as soon as its bytes were read, without reading
    /// further first, and reads asynchronously. A followed file then waits inside the read for a record still being
    /// written. When <see langword="false"/> (a parser that fills its buffer before it parses, a synchronous reader), the
    /// <c>file</c> source lets the reader
    /// see the end of the file instead, and when the file grows reads on with a new reader moved to the last position
    /// (<see cref="RecordFileReader.SkipToAsync"/>).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public virtual bool ReadsRecordsAsTheyArrive => true;

    /// <summary>
    /// Gets a value indicating whether every record ends with a line end, so that an appending sink can cut a torn last
    /// record (left by a writer killed mid-write) back to the last line end before it appends.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public virtual bool EndsRecordsWithLineEnd => false;

    /// <summary>
    /// Creates a reader of one file's records. Positions are the format's own (byte offsets of lines, record ordinals);
    /// the <c>file</c> source stores them in checkpoints and hands them back to <see cref="RecordFileReader.SkipToAsync"/>.
    /// </summary>
    /// <param name="input">The (already decompressed) bytes; the reader owns and disposes it.</param>
    /// <param name="fileName">The file's name, for error messages and dead letters.</param>
    /// <returns>The reader.</returns>
    public abstract RecordFileReader CreateReader(Stream input, string fileName);

    /// <summary>Creates a writer of records into one file.</summary>
    /// <param name="output">Where the bytes go; the writer does not dispose it.</param>
    /// <returns>The writer.</returns>
    public abstract RecordFileWriter CreateWriter(Stream output);
}
