using System.CommandLine;
using DataWeaver.Serialization.Avro.Apache.CodeGeneration;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Avro;

/// <summary><c>dataweaver avro codegen</c>: C# classes from <c>.avsc</c> files with Apache.Avro's code generator.</summary>
internal static class AvroCommand
{
    /// <summary>Creates the <c>avro</c> command and its subcommands.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("schemas") { Description = "The .avsc files, a later one may use the named types of an earlier one.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The folder the .cs files go to (in folders by namespace).", Required = true };
        var mappings = new Option<string[]>("--namespace") { Description = "Maps an Avro namespace to a C# namespace: avro.ns=CSharp.Ns (repeatable).", AllowMultipleArgumentsPerToken = false };
        var codegen = new Command("codegen", "Generates C# classes (ISpecificRecord records, enums, fixeds) from Avro schema files with Apache.Avro's code generator; DataWeaver's ApacheAvroSerializer<T> and Apache.Avro both serialize them.")
        {
            files,
            output,
            mappings,
        };
        codegen.SetAction((parse, _) => Task.FromResult(Generate(context, parse.GetRequiredValue(files), parse.GetRequiredValue(output), parse.GetValue(mappings) ?? [])));
        return new Command("avro", "Avro tools.") { codegen };
    }

    private static int Generate(CliContext context, string[] files, string output, string[] mappings)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mapping in mappings)
        {
            var parts = mapping.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                context.Error.WriteLine($"--namespace {mapping}: expected avro.namespace=CSharp.Namespace");
                return ExitCodes.Usage;
            }

            map[parts[0]] = parts[1];
        }

        var schemas = new List<string>();
        foreach (var file in files)
        {
            var path = context.FullPath(file);
            if (!File.Exists(path))
            {
                context.Error.WriteLine($"{file}: no such file");
                return ExitCodes.InvalidInput;
            }

            schemas.Add(File.ReadAllText(path));
        }

        try
        {
            foreach (var written in AvroCodeGenerator.Generate(schemas, context.FullPath(output), map.Count == 0 ? null : map))
            {
                context.Out.WriteLine(Path.GetRelativePath(context.WorkingDirectory, written));
            }

            return ExitCodes.Success;
        }
        catch (AvroSchemaException ex)
        {
            context.Error.WriteLine($"{string.Join(", ", files)}: {ex.Problem}");
            return ExitCodes.InvalidInput;
        }
    }
}
