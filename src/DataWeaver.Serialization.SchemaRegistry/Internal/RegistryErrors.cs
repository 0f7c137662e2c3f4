using System.Diagnostics.CodeAnalysis;
using System.Net;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;

namespace DataWeaver.Serialization.SchemaRegistry.Internal;

/// <summary>Classifies registry failures: server errors, throttling and network failures are transient; the rest fatal.</summary>
internal static class RegistryErrors
{
    public static bool IsNotFound(Exception ex) => ex is SchemaRegistryException { Status: HttpStatusCode.NotFound };

    [DoesNotReturn]
    public static void Throw(string what, Exception ex)
    {
        var transient = ex switch
        {
            SchemaRegistryException sr => (int)sr.Status >= 500 || sr.Status == HttpStatusCode.TooManyRequests,
            HttpRequestException or TaskCanceledException or TimeoutException => true,
            _ => false,
        };
        var detail = ex is SchemaRegistryException s ? $"HTTP {(int)s.Status}, error code {s.ErrorCode}" : ex.GetType().Name;
        throw new DataWeaverException(transient ? ErrorClass.Transient : ErrorClass.Fatal, $"Schema registry: {what} failed ({detail}).", ex);
    }

    [DoesNotReturn]
    public static void ThrowConfiguration(string type, IReadOnlyList<string> problems, string format = "avro") =>
        throw new SerializerConfigurationException(format, null, [], $"Format '{format}' with a schema registry for type '{type}': {string.Join(" ", problems)}");
}
