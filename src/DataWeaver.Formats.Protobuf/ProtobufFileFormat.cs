using System.Buffers;
using System.Globalization;
using DataWeaver.Configuration.Formats;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Protobuf;

/// <summary>
/// Length-delimited Protobuf files: each message is preceded by its size as a varint (as Java's
/// <c>writeDelimitedTo</c> and C#'s <c>WriteDelimitedTo</c> write them). Positions are byte offsets. A message that does
/// not decode is reported with its offset and original bytes and reading goes on with the next one; a size prefix
/// that is corrupt is reported once and ends the file's reading. A last message (or size prefix) cut short by the end
/// of the file may still be being written: it is left unread (<see cref="RecordFileReader.IncompleteTailBytes"/>) unless
/// <see cref="RecordFileReader.ReadIncompleteLastRecord"/> is set, which reports it as undecodable.
/// </summary>
/// <param name="codec">The message type's codec.</param>
/// <param name="maxRecordBytes">The largest message accepted.</param>
public sealed class ProtobufFileFormat(ProtobufJsonCodec codec, int maxRecordBytes = 1024 * 1024) : RecordFileFormat
{
    /// <summary>Gets the codec of the message type.</summary>
    public ProtobufJsonCodec Codec { get; } = codec ?? throw new ArgumentNullException(nameof(codec));

    /// <summary>Gets the largest message accepted, in bytes.</summary>
    /// <value>The default is 1 MiB.</value>
    public int MaxRecordBytes { get; } = maxRecordBytes > 0 ? maxRecordBytes : throw new ArgumentOutOfRangeException(nameof(maxRecordBytes));

    /// <inheritdoc />
    public override string Name => "protobuf";

    /// <inheritdoc />
    public override RecordFileReader CreateReader(Stream input, string fileName) => new Reader(this, input, fileName);

    /// <inheritdoc />
    public override RecordFileWriter CreateWriter(Stream output) => new Writer(Codec, output);

    private sealed class Reader(ProtobufFileFormat format, Stream input, string fileName) : RecordFileReader
    {
        private const int EndedInsidePrefix = -2;

        private readonly BufferedStream _input = new(input, 64 * 1024);
        private long _offset;
        private bool _broken;

        public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            if (_broken)
            {
                return false;
            }

            var start = _offset;
            var (size, prefix) = await ReadSizeAsync(cancellationToken).ConfigureAwait(false);
            if (prefix == 0)
            {
                return false;
            }

            if (size == EndedInsidePrefix && !ReadIncompleteLastRecord)
            {
                return Incomplete(start);
            }

            if (size < 0 || size > format.MaxRecordBytes)
            {
                _broken = true;
                Current = RecordFileItem.Bad(Error(start, size < 0 ? "the size prefix is not a valid varint" : $"the message size {size} is above the limit of {format.MaxRecordBytes} bytes", null), start, start + prefix, default);
                return true;
            }

            var message = new byte[size];
            var read = await _input.ReadAtLeastAsync(message, size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            _offset += read;
            if (read < size)
            {
                if (!ReadIncompleteLastRecord)
                {
                    return Incomplete(start);
                }

                _broken = true;
                Current = RecordFileItem.Bad(Error(start, $"the file ends inside a message ({read} of {size} bytes)", null), start, _offset, message.AsMemory(0, read));
                return true;
            }

            try
            {
                var record = format.Codec.Decode(message);
                Current = RecordFileItem.Ok(record, start, _offset, size);
            }
            catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
            {
                Current = RecordFileItem.Bad(Error(start, exception.Message, exception), start, _offset, message);
            }

            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            await _input.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override string Describe() => fileName;

        /// <summary>A size prefix or message cut short by the end of the file (maybe still being written): not read, so nothing resumes after it.</summary>
        private bool Incomplete(long start)
        {
            _broken = true;
            IncompleteTailPosition = start;
            IncompleteTailBytes = _offset - start;
            return false;
        }

        private DataWeaverException Error(long offset, string message, Exception? inner) =>
            new(ErrorClass.Data, string.Create(CultureInfo.InvariantCulture, $"{fileName} message at byte offset {offset}: {message}"), inner);

        /// <summary>Reads a varint size; (0, 0) at the end of the file, (<see cref="EndedInsidePrefix"/>, n) when the file ends inside it, (-1, n) when malformed.</summary>
        private async ValueTask<(int Size, int Prefix)> ReadSizeAsync(CancellationToken cancellationToken)
        {
            var one = new byte[1];
            long size = 0;
            for (var i = 0; i < 5; i++)
            {
                if (await _input.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
                {
                    return i == 0 ? (0, 0) : (EndedInsidePrefix, i);
                }

                _offset++;
                size |= (long)(one[0] & 0x7F) << (7 * i);
                if ((one[0] & 0x80) == 0)
                {
                    return size > int.MaxValue ? (-1, i + 1) : ((int)size, i + 1);
                }
            }

            return (-1, 5);
        }
    }

    private sealed class Writer(ProtobufJsonCodec codec, Stream output) : RecordFileWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

        public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken)
        {
            _buffer.ResetWrittenCount();
            for (var i = 0; i < batch.Length; i++)
            {
                codec.EncodeDelimited(batch.Span[i], _buffer);
            }

            await output.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
    }
}
