using System.Text;
using DataWeaver.Records;

namespace DataWeaver.Http;

/// <summary>
/// Where an <see cref="HttpPollingSource"/> reads: the request of a page, its number (page-number paging) and how many of its
/// records are already read. Kept in a checkpoint store as positions: (0, skip), (1, page), (2, URL length in bytes), then the
/// URL's UTF-8 bytes 8 to a position (3, 4, ...).
/// </summary>
internal readonly record struct PollState(string Url, long Page, long Skip)
{
    public IReadOnlyList<SourcePosition> Encode()
    {
        var bytes = Encoding.UTF8.GetBytes(Url);
        var positions = new List<SourcePosition> { new(0, Skip), new(1, Page), new(2, bytes.Length) };
        var padded = new byte[(bytes.Length + 7) / 8 * 8];
        bytes.CopyTo(padded, 0);
        for (var i = 0; i < padded.Length / 8; i++)
        {
            positions.Add(new SourcePosition(3 + i, BitConverter.ToInt64(padded, i * 8)));
        }

        return positions;
    }

    public static PollState? Decode(IReadOnlyList<SourcePosition> positions)
    {
        var byPartition = positions.ToDictionary(p => p.Partition, p => p.Offset);
        if (!byPartition.TryGetValue(0, out var skip) || !byPartition.TryGetValue(1, out var page) || !byPartition.TryGetValue(2, out var length) || length < 0)
        {
            return null;
        }

        var padded = new byte[(length + 7) / 8 * 8];
        for (var i = 0; i < padded.Length / 8; i++)
        {
            if (!byPartition.TryGetValue(3 + i, out var chunk))
            {
                return null;
            }

            BitConverter.GetBytes(chunk).CopyTo(padded, i * 8);
        }

        return new PollState(Encoding.UTF8.GetString(padded, 0, (int)length), page, skip);
    }
}
