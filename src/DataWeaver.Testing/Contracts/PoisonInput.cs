using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// A source whose input holds poison (records it cannot read: oversized, undecodable) among the good records, for the
/// dead-letter contract: the good records keep sequence ids 0 to <c>RecordCount - 1</c>; each poison record must reach
/// the dead-letter port with its original bytes and its position.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Source">The source over good and poison records.</param>
/// <param name="Poison">Each poison record as it is in the input, in input order.</param>
public sealed record PoisonInput<T>(SourceConnector<T> Source, IReadOnlyList<PoisonRecord> Poison);

/// <summary>One poison record of a <see cref="PoisonInput{T}"/>.</summary>
/// <param name="Bytes">Its bytes exactly as they are in the input.</param>
/// <param name="Position">Where it starts in the input (the dead letter's <see cref="Pipelines.ErrorHandling.DeadLetter.Position"/>).</param>
public sealed record PoisonRecord(byte[] Bytes, SourcePosition Position);
