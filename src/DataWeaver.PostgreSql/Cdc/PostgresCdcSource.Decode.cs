using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using DataWeaver.PostgreSql.Source;
using DataWeaver.Serialization.Json;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using Npgsql.PostgresTypes;
using NpgsqlTypes;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>pgoutput messages into records.</summary>
public sealed partial class PostgresCdcSource
{
    private static readonly ConcurrentDictionary<Type, Func<ReplicationValue, CancellationToken, ValueTask<object>>> NullableArrays = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly List<string> _unchanged = [];
    private Utf8JsonWriter? _writer;
    private uint _xid;
    private ulong _commitLsn;
    private (string Column, string Type, string Reason, Exception? Error)? _undecodable;
    private byte[]? _undecodableBytes;
    private byte[] _valueBytes = new byte[64];

    /// <summary>Turns a message into the records it stands for (none for relation, type and origin messages); <see langword="true"/> at a transaction's end.</summary>
    private async ValueTask<bool> DecodeAsync(PgOutputReplicationMessage message, List<Change> records, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case BeginMessage begin:
                _inTransaction = true;
                _xid = begin.TransactionXid;
                _commitLsn = (ulong)begin.TransactionFinalLsn;
                if (Options.TransactionRecords)
                {
                    records.Add(new Change(Envelope("begin", null, begin.WalStart).End()));
                }

                break;
            case InsertMessage insert:
                records.Add(await ChangeAsync("insert", insert.Relation, insert.WalStart, null, null, insert.NewRow, cancellationToken).ConfigureAwait(false));
                break;
            case FullUpdateMessage update:
                records.Add(await ChangeAsync("update", update.Relation, update.WalStart, update.OldRow, null, update.NewRow, cancellationToken).ConfigureAwait(false));
                break;
            case IndexUpdateMessage update:
                records.Add(await ChangeAsync("update", update.Relation, update.WalStart, null, update.Key, update.NewRow, cancellationToken).ConfigureAwait(false));
                break;
            case UpdateMessage update:
                records.Add(await ChangeAsync("update", update.Relation, update.WalStart, null, null, update.NewRow, cancellationToken).ConfigureAwait(false));
                break;
            case FullDeleteMessage delete:
                records.Add(await ChangeAsync("delete", delete.Relation, delete.WalStart, delete.OldRow, null, null, cancellationToken).ConfigureAwait(false));
                break;
            case KeyDeleteMessage delete:
                records.Add(await ChangeAsync("delete", delete.Relation, delete.WalStart, null, delete.Key, null, cancellationToken).ConfigureAwait(false));
                break;
            case TruncateMessage truncate:
                foreach (var relation in truncate.Relations)
                {
                    records.Add(new Change(Envelope("truncate", relation, truncate.WalStart).End()));
                }

                break;
            case CommitMessage commit:
                if (Options.TransactionRecords)
                {
                    records.Add(new Change(Envelope("commit", null, commit.CommitLsn).End()));
                }

                _inTransaction = false;
                AddBoundary(_emitted + records.Count, (ulong)commit.TransactionEndLsn);
                return true;
        }

        return false;
    }

    /// <summary>An insert, update or delete: its record, or, when a value cannot be decoded, why and the value's bytes.</summary>
    private async ValueTask<Change> ChangeAsync(string operation, RelationMessage relation, NpgsqlLogSequenceNumber lsn, ReplicationTuple? before, ReplicationTuple? key, ReplicationTuple? after, CancellationToken cancellationToken)
    {
        var writer = Envelope(operation, relation, lsn).Writer;
        _unchanged.Clear();
        _undecodable = null;
        _undecodableBytes = null;
        if (before is not null)
        {
            writer.WritePropertyName("before");
            await WriteTupleAsync(writer, relation, before, keyOnly: false, cancellationToken).ConfigureAwait(false);
        }

        if (key is not null)
        {
            writer.WritePropertyName("key");
            await WriteTupleAsync(writer, relation, key, keyOnly: true, cancellationToken).ConfigureAwait(false);
        }

        if (after is not null)
        {
            writer.WritePropertyName("after");
            await WriteTupleAsync(writer, relation, after, keyOnly: false, cancellationToken).ConfigureAwait(false);
            if (_unchanged.Count > 0)
            {
                writer.WriteStartArray("unchanged");
                foreach (var name in _unchanged)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
            }
        }

        if (_undecodable is { } failure)
        {
            var error = new PostgresCdcValueException(Options.Slot, lsn.ToString(), _xid, relation.Namespace + "." + relation.RelationName, failure.Column, failure.Type, failure.Reason, failure.Error);
            return new Change(default, error, _undecodableBytes ?? []);
        }

        return new Change(new EnvelopeWriter(this).End());
    }

    /// <summary>A row of the initial snapshot: <c>{"op":"read","table":...,"lsn":...,"xid":0,"after":{...}}</c>.</summary>
    private JsonRecord SnapshotRecord(string table, ulong lsn, JsonRecord row)
    {
        _buffer.ResetWrittenCount();
        var writer = Writer();
        writer.WriteStartObject();
        writer.WriteString("op", "read");
        writer.WriteString("table", table);
        writer.WriteString("lsn", new NpgsqlLogSequenceNumber(lsn).ToString());
        writer.WriteNumber("xid", 0);
        writer.WritePropertyName("after");
        writer.WriteRawValue(row.Utf8.Span, skipInputValidation: true);
        return new EnvelopeWriter(this).End();
    }

    private Utf8JsonWriter Writer()
    {
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        else
        {
            _writer.Reset(_buffer);
        }

        return _writer;
    }

    /// <summary>Starts a record: op, table, lsn, xid.</summary>
    private EnvelopeWriter Envelope(string operation, RelationMessage? relation, NpgsqlLogSequenceNumber lsn)
    {
        _buffer.ResetWrittenCount();
        var writer = Writer();
        writer.WriteStartObject();
        writer.WriteString("op", operation);
        if (relation is not null)
        {
            writer.WriteString("table", relation.Namespace + "." + relation.RelationName);
        }

        writer.WriteString("lsn", lsn.ToString());
        writer.WriteNumber("xid", _xid);
        if (relation is null)
        {
            writer.WriteString("commitLsn", new NpgsqlLogSequenceNumber(_commitLsn).ToString());
        }

        return new EnvelopeWriter(this);
    }

    /// <summary>
    /// A row as a JSON object, by column type as the query source writes them; unchanged TOASTed values are left out and
    /// named in <see cref="_unchanged"/>. The first value that cannot be decoded is kept in <see cref="_undecodable"/> (its
    /// bytes in <see cref="_undecodableBytes"/>); the values after it are not decoded (the record is dropped).
    /// </summary>
    private async ValueTask WriteTupleAsync(Utf8JsonWriter writer, RelationMessage relation, ReplicationTuple tuple, bool keyOnly, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        var column = 0;
        await foreach (var value in tuple.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var index = column++;
            if (_undecodable is not null || (keyOnly && (relation.Columns[index].Flags & RelationMessage.Column.ColumnFlags.PartOfKey) == 0))
            {
                continue; // Npgsql skips what is not read
            }

            var name = value.GetFieldName();
            if (value.IsUnchangedToastedValue)
            {
                _unchanged.Add(name);
                continue;
            }

            writer.WritePropertyName(name);
            if (value.IsDBNull)
            {
                writer.WriteNullValue();
                continue;
            }

            var type = value.GetDataTypeName();
            var array = type.EndsWith("[]", StringComparison.Ordinal);
            var element = array ? type[..^2] : type;
            var postgresType = value.GetPostgresType();
            if (PostgresBinaryValues.DecodesHere(element) || postgresType is PostgresCompositeType or PostgresArrayType { Element: PostgresCompositeType })
            {
                // Read as the server sent them, so that a value with no JSON form keeps its bytes for the dead letter.
                if (_valueBytes.Length < value.Length)
                {
                    _valueBytes = new byte[Math.Max(value.Length, _valueBytes.Length * 2)];
                }

                var bytes = _valueBytes.AsMemory(0, value.Length);
                var stream = value.GetStream();
                await using (stream.ConfigureAwait(false))
                {
                    await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                }

                var failure = PostgresBinaryValues.DecodesHere(element)
                    ? PostgresBinaryValues.TryWrite(writer, element, array, bytes.Span)
                    : "composite types have no decoder (cast the column to text or jsonb in a view, or to json in the table)";
                if (failure is not null)
                {
                    _undecodable = (name, type, failure, null);
                    _undecodableBytes = bytes.ToArray();
                }

                continue;
            }

            object read;
            try
            {
                read = PostgresRowDecoder.NullableArrayElement(type) is { } item
                    ? await NullableArrays.GetOrAdd(item, static item => typeof(PostgresCdcSource).GetMethod(nameof(ReadNullableArrayAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item).CreateDelegate<Func<ReplicationValue, CancellationToken, ValueTask<object>>>())(value, cancellationToken).ConfigureAwait(false)
                    : await value.Get(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is InvalidCastException or OverflowException or NotSupportedException)
            {
                // Npgsql read the bytes away: the dead letter has none (the types whose values Npgsql may refuse are read above).
                _undecodable = (name, type, $"Npgsql cannot read it ({error.Message}); its bytes were consumed", error);
                _undecodableBytes = [];
                continue;
            }

            PostgresRowDecoder.WriteValue(writer, read, PostgresRowDecoder.KindOf(element));
        }

        writer.WriteEndObject();
    }

    /// <summary>A change read from the slot: its record, or, for an undecodable value, why (<see cref="Error"/>) and the value's bytes as the server sent them.</summary>
    private readonly record struct Change(JsonRecord Record, PostgresCdcValueException? Error = null, byte[]? Raw = null);

    private static async ValueTask<object> ReadNullableArrayAsync<T>(ReplicationValue value, CancellationToken cancellationToken)
        where T : struct => (await value.Get<T?[]>(cancellationToken).ConfigureAwait(false))!;

    /// <summary>The record being written.</summary>
    private readonly struct EnvelopeWriter(PostgresCdcSource source)
    {
        public Utf8JsonWriter Writer => source._writer!;

        public JsonRecord End()
        {
            source._writer!.WriteEndObject();
            source._writer.Flush();
            return JsonRecord.CreateUnchecked(source._buffer.WrittenSpan.ToArray());
        }
    }
}
