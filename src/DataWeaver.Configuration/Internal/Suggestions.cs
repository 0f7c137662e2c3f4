namespace DataWeaver.Configuration.Internal;

/// <summary>"Did you mean" for typos: the closest known name by edit distance, when it is close enough.</summary>
internal static class Suggestions
{
    /// <summary>Returns <c> (did you mean 'x'?)</c> when a known name is close to <paramref name="name"/>, else an empty string.</summary>
    public static string DidYouMean(string name, IEnumerable<string> known)
    {
        var best = Closest(name, known);
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    public static string? Closest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Close enough: a third of the length (at least 1, at most 3) edits away.
        var allowed = Math.Clamp(name.Length / 3, 1, 3);
        return best is not null && bestDistance <= allowed ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Lists names for a message: <c>a, b, c</c>.</summary>
    public static string List(IEnumerable<string> names) => string.Join(", ", names);
}
