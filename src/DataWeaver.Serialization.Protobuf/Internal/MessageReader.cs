using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Internal;

/// <summary>
/// Parses one message body with a recursion limit and turns every parse failure into a
/// <see cref="DeserializationException"/> naming the byte offset. Immutable and thread-safe.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
internal sealed class MessageReader<T>
    where T : IMessage<T>, new()
{
    /// <summary>Google.Protobuf's own recursion limit, used by its span and sequence parsers.</summary>
    public const int GoogleDefaultRecursionLimit = 100;

    private readonly MessageParser<T> _parser;
    private readonly int _recursionLimit;

    public MessageReader(int recursionLimit)
    {
        _parser = new T().Descriptor?.Parser as MessageParser<T> ?? new MessageParser<T>(static () => new T());
        _recursionLimit = recursionLimit;
    }

    /// <summary>Parses <paramref name="body"/>; <paramref name="baseOffset"/> is its offset in the record or stream.</summary>
    public T Parse(ReadOnlySpan<byte> body, long baseOffset)
    {
        if (_recursionLimit == GoogleDefaultRecursionLimit)
        {
            try
            {
                return _parser.ParseFrom(body);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return ThrowLocated(body, baseOffset, ex);
            }
        }

        var rented = ArrayPool<byte>.Shared.Rent(body.Length);
        try
        {
            body.CopyTo(rented);
            return ParseLimited(rented, 0, body.Length, baseOffset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses <paramref name="body"/>; <paramref name="baseOffset"/> is its offset in the record or stream.</summary>
    public T Parse(in ReadOnlySequence<byte> body, long baseOffset)
    {
        if (body.IsSingleSegment)
        {
            if (_recursionLimit != GoogleDefaultRecursionLimit && MemoryMarshal.TryGetArray(body.First, out var segment))
            {
                return ParseLimited(segment.Array!, segment.Offset, segment.Count, baseOffset);
            }

            return Parse(body.FirstSpan, baseOffset);
        }

        if (_recursionLimit == GoogleDefaultRecursionLimit)
        {
            try
            {
                return _parser.ParseFrom(body);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var length = (int)body.Length;
                var copy = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    body.CopyTo(copy);
                    return ThrowLocated(copy.AsSpan(0, length), baseOffset, ex);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(copy);
                }
            }
        }

        var bodyLength = (int)body.Length;
        var rented = ArrayPool<byte>.Shared.Rent(bodyLength);
        try
        {
            body.CopyTo(rented);
            return ParseLimited(rented, 0, bodyLength, baseOffset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private T ParseLimited(byte[] array, int offset, int count, long baseOffset)
    {
        using var stream = new MemoryStream(array, offset, count, writable: false);
        using var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, _recursionLimit);
        try
        {
            return _parser.ParseFrom(input);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ThrowHelper.ThrowData<T>(baseOffset + Math.Clamp(input.Position, 0, count), Describe(ex), ex);
        }
    }

    /// <summary>
    /// Parses again through a <see cref="CodedInputStream"/>, which knows its position, to name where the failure is.
    /// Google.Protobuf can fail with other exceptions than its own (e.g. an index out of range on some
    /// overflowing nested lengths) and its position then may overshoot: the offset is clamped to the body.
    /// </summary>
    private T ThrowLocated(ReadOnlySpan<byte> body, long baseOffset, Exception original)
    {
        var rented = ArrayPool<byte>.Shared.Rent(body.Length);
        long position = 0;
        try
        {
            body.CopyTo(rented);
            using var stream = new MemoryStream(rented, 0, body.Length, writable: false);
            using var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, _recursionLimit);
            try
            {
                _parser.ParseFrom(input);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                position = Math.Clamp(input.Position, 0, body.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return ThrowHelper.ThrowData<T>(baseOffset + position, Describe(original), original);
    }

    private static string Describe(Exception ex) => ex switch
    {
        InvalidProtocolBufferException => ex.Message,
        DecoderFallbackException => "invalid UTF-8 in a string field: " + ex.Message,
        _ => $"the message cannot be parsed ({ex.GetType().Name}): {ex.Message}",
    };
}
