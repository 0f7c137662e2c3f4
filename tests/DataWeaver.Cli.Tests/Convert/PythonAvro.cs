using System.Diagnostics;

namespace DataWeaver.Cli.Tests.Convert;

/// <summary>Apache Avro's own Python implementation (Debian's python3-avro, importable from /usr/bin/python3 only), as a reader of what the CLI writes.</summary>
internal static class PythonAvro
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Gets a value indicating whether /usr/bin/python3 can import avro (eng/test.sh installs python3-avro).</summary>
    public static bool Available { get; } = File.Exists(Python) && Exec("-c", "import avro.datafile, avro.io").Code == 0;

    /// <summary>Reads a container file with Apache Avro and returns its records as JSON lines in the CLI's mapping.</summary>
    public static string[] ReadAsJsonLines(string path)
    {
        var (code, stdout, stderr) = Exec(Path.Combine(AppContext.BaseDirectory, "python", "avro_to_jsonl.py"), path);
        Assert.True(code == 0, $"avro_to_jsonl.py failed ({code}): {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static (int Code, string Stdout, string Stderr) Exec(params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            Assert.Fail("python timed out");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
