using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

/// <summary>One event of the window reference tests: its index in the input, a key, an event time (ms after <see cref="Reading.Epoch"/>) and a value.</summary>
internal readonly record struct Ev(int Index, int Key, long Ms, long Value)
{
    public DateTimeOffset Time => Reading.Epoch.AddMilliseconds(Ms);
}

/// <summary>A window's final aggregates, comparable by value (the collected values joined as text).</summary>
internal sealed record RefResult(int Key, long StartMs, long EndMs, long Count, double Sum, double Min, double Max, double First, double Last, long Distinct, string Values);

/// <summary>
/// The brute-force reference of the window stage's documented semantics: record by record, every record's items kept in
/// lists, every aggregate recomputed from the lists at the end. The watermark is the newest accepted event time minus the
/// out-of-orderness; a window (session) takes records until the watermark passes its end plus the allowed lateness; a
/// record no window takes is late. Sessions: a record's own interval is [t, t + gap); it joins every live session whose
/// interval [start, last + gap) intersects it.
/// </summary>
internal static class WindowReference
{
    private static readonly long s_epochMs = Reading.Epoch.ToUnixTimeMilliseconds();

    public static (List<RefResult> Results, List<int> Late) Run(
        IReadOnlyList<Ev> events, WindowKind kind, long sizeMs, long hopMs, long gapMs, long disorderMs, long latenessMs, int collect)
    {
        var late = new List<int>();
        var watermark = long.MinValue / 2;
        var windows = new Dictionary<(int Key, long Start), List<Ev>>();
        var live = new Dictionary<int, List<(long Start, long Last, List<Ev> Items)>>();
        var final = new List<(int Key, long Start, long End, List<Ev> Items)>();
        foreach (var e in events)
        {
            var t = s_epochMs + e.Ms;
            bool accepted;
            if (kind == WindowKind.Session)
            {
                accepted = t + gapMs + latenessMs > watermark;
                if (accepted)
                {
                    if (!live.TryGetValue(e.Key, out var sessions))
                    {
                        live[e.Key] = sessions = [];
                    }

                    // Sessions past their lateness are final.
                    foreach (var s in sessions.Where(s => s.Last + gapMs + latenessMs <= watermark).ToList())
                    {
                        final.Add((e.Key, s.Start, s.Last + gapMs, s.Items));
                        sessions.Remove(s);
                    }

                    var joined = sessions.Where(s => s.Start < t + gapMs && t < s.Last + gapMs).ToList();
                    var items = joined.SelectMany(s => s.Items).Append(e).ToList();
                    foreach (var s in joined)
                    {
                        sessions.Remove(s);
                    }

                    sessions.Add((joined.Select(s => s.Start).Append(t).Min(), joined.Select(s => s.Last).Append(t).Max(), items));
                }
            }
            else
            {
                accepted = false;
                var hop = kind == WindowKind.Hopping ? hopMs : sizeMs;
                for (var start = t - (((t % hop) + hop) % hop); start > t - sizeMs; start -= hop)
                {
                    if (start + sizeMs + latenessMs <= watermark)
                    {
                        continue;
                    }

                    if (!windows.TryGetValue((e.Key, start), out var list))
                    {
                        windows[(e.Key, start)] = list = [];
                    }

                    list.Add(e);
                    accepted = true;
                }
            }

            if (!accepted)
            {
                late.Add(e.Index);
                continue;
            }

            watermark = Math.Max(watermark, t - disorderMs);
        }

        foreach (var (key, sessions) in live)
        {
            final.AddRange(sessions.Select(s => (key, s.Start, s.Last + gapMs, s.Items)));
        }

        final.AddRange(windows.Select(w => (w.Key.Key, w.Key.Start, w.Key.Start + sizeMs, w.Value)));
        var results = final.Select(w => new RefResult(
            w.Key,
            w.Start,
            w.End,
            w.Items.Count,
            w.Items.Sum(i => (double)i.Value),
            w.Items.Min(i => (double)i.Value),
            w.Items.Max(i => (double)i.Value),
            w.Items.OrderBy(i => i.Ms).ThenBy(i => i.Index).First().Value,
            w.Items.OrderBy(i => i.Ms).ThenBy(i => i.Index).Last().Value,
            w.Items.Select(i => i.Value).Distinct().Count(),
            string.Join(",", w.Items.OrderBy(i => i.Index).Take(collect).Select(i => i.Value)))).ToList();
        return (results, late);
    }

    /// <summary>
    /// The stage's final answer from everything it emitted, in emission order: per key and window the last emission; for
    /// sessions, an emission replaces the earlier ones of its key whose interval it contains (a late record extended or
    /// merged them).
    /// </summary>
    public static List<RefResult> Final(IEnumerable<WindowResult<int>> emitted, WindowKind kind)
    {
        var perKey = new Dictionary<int, List<RefResult>>();
        foreach (var r in emitted)
        {
            var result = new RefResult(
                r.Key,
                r.Start.ToUnixTimeMilliseconds(),
                r.End.ToUnixTimeMilliseconds(),
                r.Count,
                r.Sum,
                r.Min,
                r.Max,
                r.First,
                r.Last,
                r.DistinctCount ?? -1,
                string.Join(",", r.Values ?? []));
            if (!perKey.TryGetValue(r.Key, out var list))
            {
                perKey[r.Key] = list = [];
            }

            list.RemoveAll(p => kind == WindowKind.Session
                ? result.StartMs <= p.StartMs && p.EndMs <= result.EndMs
                : p.StartMs == result.StartMs);
            list.Add(result);
        }

        return [.. perKey.Values.SelectMany(l => l)];
    }

    public static List<RefResult> Sorted(IEnumerable<RefResult> results) =>
        [.. results.OrderBy(r => r.Key).ThenBy(r => r.StartMs).ThenBy(r => r.EndMs)];

    /// <summary>
    /// Events 5 ms apart with bounded disorder (up to <paramref name="disorderMs"/> behind), 2% a little further behind
    /// (up to <paramref name="slightlyLateMs"/> more: some update emitted windows within the lateness, some are late) and
    /// 1% far behind (<paramref name="farLateMs"/>: beyond the lateness).
    /// </summary>
    public static Ev[] Events(int count, int seed, int keys, int values, int disorderMs, int slightlyLateMs, int farLateMs)
    {
        var random = new Random(seed);
        var events = new Ev[count];
        for (var i = 0; i < count; i++)
        {
            var ms = (i * 5L) + 1_000_000 - random.Next(disorderMs + 1);
            var roll = random.Next(100);
            if (roll == 0)
            {
                ms -= farLateMs;
            }
            else if (roll <= 2)
            {
                ms -= random.Next(slightlyLateMs + 1);
            }

            events[i] = new Ev(i, random.Next(keys), ms, random.Next(values));
        }

        return events;
    }
}
