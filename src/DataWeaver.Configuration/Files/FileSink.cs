using System.IO.Compression;
using DataWeaver.Configuration.Formats;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Files;

/// <summary>
/// Writes records to a file (or standard output, path <c>-</c>) in a <see cref="RecordFileFormat"/>, gzip-compressed
/// when asked. A batch is acknowledged once it reached the file (and the disk, with
/// <see cref="FileSinkOptions.FlushToDisk"/>). Without <see cref="FileSinkOptions.Append"/> the file is replaced only when
/// the run completes successfully.
/// </summary>
public sealed class FileSink : SinkConnector<JsonRecord>, IFileEndpoints
{
    private FileOutput? _output;
    private Stream? _stream;
    private RecordFileWriter? _writer;

    /// <summary>Creates the sink.</summary>
    /// <param name="path">The file to write, or <c>-</c> for standard output.</param>
    /// <param name="options">The format and how to write.</param>
    /// <param name="name">The connector's name; <see langword="null"/> uses the file name.</param>
    public FileSink(string path, FileSinkOptions options, string? name = null)
        : base(name ?? (path == "-" ? "stdout" : System.IO.Path.GetFileName(path)))
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Append && !options.Format.CanAppend)
        {
            throw new ArgumentException($"The {options.Format.Name} format cannot be appended to (its files start with a header): write a new file per run, or use a line format.", nameof(options));
        }

        Path = path;
        Options = options;
    }

    /// <summary>Gets the file written, or <c>-</c>.</summary>
    public string Path { get; }

    /// <summary>Gets the sink's options.</summary>
    public FileSinkOptions Options { get; }

    /// <summary>Gets the file written (appended to, or replaced when the run ends well); none for standard output.</summary>
    public IReadOnlyList<FileEndpoint> FileEndpoints =>
        Path == "-" ? [] : [new FileEndpoint(System.IO.Path.GetFullPath(Path), Options.Append ? FileUse.Append : FileUse.Replace)];

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var gzip = Options.Compression == FileCompression.Gzip
            || (Options.Compression == FileCompression.Auto && Path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
        _output = FileOutput.Open(Path, new SafeFileWriterOptions
        {
            Append = Options.Append,
            RepairIncompleteLastLine = Options.Append && !gzip && Options.Format.EndsRecordsWithLineEnd,
            FlushToDisk = Options.FlushToDisk,
        }, Options.StandardOutput);
        _stream = gzip ? new GZipStream(_output.Stream, CompressionLevel.Fastest, leaveOpen: true) : _output.Stream;
        _writer = Options.Format.CreateWriter(_stream);
        return default;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
    {
        var writer = _writer ?? throw new InvalidOperationException($"The sink '{Name}' is not open.");
        await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        await _stream!.FlushAsync(cancellationToken).ConfigureAwait(false); // one write to the file per batch, fsynced with FlushToDisk
    }

    /// <inheritdoc />
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is null)
        {
            return;
        }

        await _writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        if (!ReferenceEquals(_stream, _output!.Stream))
        {
            await _stream!.DisposeAsync().ConfigureAwait(false); // the gzip trailer
        }

        await _output.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_output is { } output)
        {
            _output = null;
            if (!ReferenceEquals(_stream, output.Stream))
            {
                await _stream!.DisposeAsync().ConfigureAwait(false);
            }

            await output.DisposeAsync().ConfigureAwait(false);
        }

        _stream = null;
    }
}
