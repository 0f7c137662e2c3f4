using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Convert;

/// <summary>A conversion, as the command line describes it, with paths resolved and the schema parsed.</summary>
/// <param name="Input">The input file (full path).</param>
/// <param name="Output">The output file (full path).</param>
/// <param name="From">The input format.</param>
/// <param name="To">The output format.</param>
/// <param name="Schema">The <c>--schema</c>, or <see langword="null"/>.</param>
/// <param name="Codec">The <c>--codec</c> of an Avro output, or <see langword="null"/> for the input's (Avro to Avro) or <c>null</c>.</param>
internal sealed record ConvertRequest(string Input, string Output, ConvertFormat From, ConvertFormat To, AvroSchema? Schema, AvroCodec? Codec);
