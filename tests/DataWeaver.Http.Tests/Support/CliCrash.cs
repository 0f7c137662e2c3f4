using System.Diagnostics;
using System.Text;
using DataWeaver.Testing.Crash;

namespace DataWeaver.Http.Tests.Support;

/// <summary>The kill scenarios of the HTTP sources: the <c>dataweaver</c> CLI runs a definition file into an appending JSON-lines file, whose ids are the output.</summary>
internal static class CliCrash
{
    /// <summary>
    /// Describes a scenario of three SIGKILLs over <paramref name="definitionFile"/>; each kill may duplicate at most
    /// <paramref name="inFlight"/> records, and the last run is stopped (SIGTERM) once the output holds every id (an HTTP source never ends).
    /// </summary>
    public static ProcessCrashScenario Scenario(int records, string definitionFile, string outputFile, int inFlight)
    {
        var cli = ChildProcesses.BuildOutputOf("src/DataWeaver.Cli", "dataweaver.dll");
        return new ProcessCrashScenario(
            records,
            _ => new ProcessStartInfo("dotnet", [cli, "run", definitionFile]),
            () => File.Exists(outputFile) ? [.. File.ReadAllLines(outputFile).Where(l => l.EndsWith('}')).Select(l => Json.Id(Encoding.UTF8.GetBytes(l)))] : [],
            new ProcessCrashOptions
            {
                Kills = 3,
                MaxDuplicatesPerKill = inFlight,
                StopLastRunWhenComplete = true,
                PollInterval = TimeSpan.FromMilliseconds(20),
                Guard = TimeSpan.FromMinutes(3),
            });
    }
}
