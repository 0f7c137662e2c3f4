using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Reading;

/// <summary>A record: reads the writer's fields in order into the reader's positions, skips removed fields and fills added fields with their defaults.</summary>
internal sealed class RecordNode(RecordSchema reader) : ReadNode
{
    private (int ReaderPosition, ReadNode Node)[] _steps = [];
    private AvroField[] _defaults = [];

    public void Init((int ReaderPosition, ReadNode Node)[] steps, AvroField[] defaults)
    {
        _steps = steps;
        _defaults = defaults;
    }

    public override object? Read(ref AvroReader r)
    {
        r.Enter();
        var record = new GenericRecord(reader);
        foreach (var (position, node) in _steps)
        {
            if (position >= 0)
            {
                record[position] = node.Read(ref r);
            }
            else
            {
                node.Skip(ref r);
            }
        }

        foreach (var field in _defaults)
        {
            record[field.Position] = field.GetDefaultValue();
        }

        r.Leave();
        return record;
    }

    public override void Skip(ref AvroReader r)
    {
        r.Enter();
        foreach (var (_, node) in _steps)
        {
            node.Skip(ref r);
        }

        r.Leave();
    }
}
