using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using DataWeaver.Errors;
using DataWeaver.Serialization.Protobuf.Internal;
using DataWeaver.Serialization.Protobuf.Serializers;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Framing;

/// <summary>
/// Length-delimited protobuf streams and files: each message is preceded by its size as a varint, byte for
/// byte what Google.Protobuf's <c>WriteDelimitedTo</c> writes and <c>ParseDelimitedFrom</c> reads.
/// </summary>
public static class ProtobufDelimited
{
    /// <summary>Writes the length prefix and the message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="maxRecordSize">The largest message accepted; the default is 1 MiB.</param>
    /// <exception cref="RecordTooLargeException">The message is above <paramref name="maxRecordSize"/>; nothing is written.</exception>
    public static void Write(IMessage message, IBufferWriter<byte> output, int maxRecordSize = ProtobufSerializerOptions.DefaultMaxRecordSize)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        var size = message.CalculateSize();
        if (size > maxRecordSize)
        {
            throw new RecordTooLargeException($"protobuf {message.Descriptor.FullName}", size, maxRecordSize);
        }

        Varint.Write(output, (uint)size);
        message.WriteTo(output);
    }

    /// <summary>Reads every message of a buffer holding whole frames.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="data">The frames.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The messages, read lazily.</returns>
    /// <exception cref="DeserializationException">A frame or message is malformed, or the last frame is truncated (raised on enumeration).</exception>
    public static IEnumerable<T> ReadAll<T>(ReadOnlySequence<byte> data, ProtobufSerializerOptions? options = null)
        where T : IMessage<T>, new()
    {
        var reader = new ProtobufDelimitedReader<T>(options);
        return Iterate(reader, data);

        static IEnumerable<T> Iterate(ProtobufDelimitedReader<T> reader, ReadOnlySequence<byte> data)
        {
            while (reader.TryRead(data, isFinalBlock: true, out var message, out var consumed))
            {
                yield return message;
                data = data.Slice(consumed);
            }
        }
    }

    /// <summary>Reads every message of a stream, buffering at most one frame at a time.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="stream">The stream, read to its end and left open.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The messages, read lazily.</returns>
    /// <exception cref="DeserializationException">A frame or message is malformed, or the last frame is truncated (raised on enumeration).</exception>
    public static IEnumerable<T> ReadAll<T>(Stream stream, ProtobufSerializerOptions? options = null)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new ProtobufDelimitedReader<T>(options);
        return Iterate(reader, stream);

        static IEnumerable<T> Iterate(ProtobufDelimitedReader<T> reader, Stream stream)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            var start = 0;
            var end = 0;
            var final = false;
            try
            {
                while (true)
                {
                    if (reader.TryRead(new ReadOnlySequence<byte>(buffer, start, end - start), final, out var message, out var consumed))
                    {
                        start += (int)consumed;
                        yield return message;
                        continue;
                    }

                    if (final)
                    {
                        yield break;
                    }

                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }

                    if (end == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = stream.Read(buffer, end, buffer.Length - end);
                    end += read;
                    final = read == 0;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads every message of a stream asynchronously, buffering at most one frame at a time.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="stream">The stream, read to its end and left open.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The messages, read lazily.</returns>
    /// <exception cref="DeserializationException">A frame or message is malformed, or the last frame is truncated (raised on enumeration).</exception>
    public static IAsyncEnumerable<T> ReadAllAsync<T>(Stream stream, ProtobufSerializerOptions? options = null, CancellationToken cancellationToken = default)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new ProtobufDelimitedReader<T>(options);
        return Iterate(reader, stream, cancellationToken);

        static async IAsyncEnumerable<T> Iterate(ProtobufDelimitedReader<T> reader, Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            try
            {
                while (true)
                {
                    var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    while (reader.TryRead(buffer, result.IsCompleted, out var message, out var consumed))
                    {
                        buffer = buffer.Slice(consumed);
                        yield return message;
                    }

                    pipe.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                await pipe.CompleteAsync().ConfigureAwait(false);
            }
        }
    }
}
