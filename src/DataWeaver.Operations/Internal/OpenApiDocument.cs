using Microsoft.AspNetCore.Http;

namespace DataWeaver.Operations.Internal;

/// <summary>The management API's OpenAPI 3 description, a file of the project (openapi.json) embedded in the assembly.</summary>
internal static class OpenApiDocument
{
    private static readonly Lazy<byte[]> Content = new(static () =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("DataWeaver.Operations.openapi.json")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>Gets the document's bytes.</summary>
    public static byte[] Bytes => Content.Value;

    public static IResult Get() => Results.Bytes(Bytes, "application/json");
}
