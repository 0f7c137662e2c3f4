using System.Net;
using Confluent.SchemaRegistry;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.SchemaRegistry.Tests;

/// <summary>
/// An in-process <see cref="ISchemaRegistryClient"/> (no registry server exists on this machine): subjects with versions,
/// global ids, and the same id for the same schema (Avro compared by Parsing Canonical Form, as the registry does; JSON
/// and Protobuf schemas by their text) under any subject. Counts calls so tests can assert caching. Members no serializer uses throw <see cref="NotSupportedException"/>.
/// </summary>
internal sealed class InMemorySchemaRegistry : ISchemaRegistryClient
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Schema> _byId = [];
    private readonly Dictionary<string, int> _idByCanonical = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _subjects = new(StringComparer.Ordinal);
    private int _nextId;

    public InMemorySchemaRegistry(int firstId = 1) => _nextId = firstId;

    public int Calls { get; private set; }

    /// <summary>Gets or sets an exception the next call throws (once).</summary>
    public Exception? FailNext { get; set; }

    public IEnumerable<KeyValuePair<string, string>> Config => [];

    public IAuthenticationHeaderValueProvider AuthHeaderProvider => null!;

    public IWebProxy Proxy => null!;

    public int MaxCachedSchemas => 1000;

    public Task<int> RegisterSchemaAsync(string subject, string avroSchema, bool normalize = false) =>
        RegisterSchemaAsync(subject, new Schema(avroSchema, SchemaType.Avro), normalize);

    public Task<int> RegisterSchemaAsync(string subject, Schema schema, bool normalize = false)
    {
        lock (_gate)
        {
            Enter();
            var canonical = Canonical(schema);
            if (!_idByCanonical.TryGetValue(canonical, out var id))
            {
                id = _nextId++;
                _idByCanonical[canonical] = id;
                _byId[id] = new Schema(schema.SchemaString, schema.SchemaType);
            }

            var versions = _subjects.TryGetValue(subject, out var v) ? v : _subjects[subject] = [];
            if (!versions.Contains(id))
            {
                versions.Add(id);
            }

            return Task.FromResult(id);
        }
    }

    public async Task<RegisteredSchema> RegisterSchemaWithResponseAsync(string subject, Schema schema, bool normalize = false)
    {
        var id = await RegisterSchemaAsync(subject, schema, normalize);
        return Registered(subject, id);
    }

    public Task<int> GetSchemaIdAsync(string subject, string avroSchema, bool normalize = false) =>
        GetSchemaIdAsync(subject, new Schema(avroSchema, SchemaType.Avro), normalize);

    public async Task<int> GetSchemaIdAsync(string subject, Schema schema, bool normalize = false) =>
        (await LookupSchemaAsync(subject, schema, true, normalize)).Id;

    public Task<Schema> GetSchemaAsync(int id, string? format = null)
    {
        lock (_gate)
        {
            Enter();
            return _byId.TryGetValue(id, out var s) ? Task.FromResult(s) : throw NotFound($"schema id {id}");
        }
    }

    public Task<Schema> GetSchemaBySubjectAndIdAsync(string subject, int id, string? format = null) => GetSchemaAsync(id, format);

    public Task<Schema> GetSchemaByGuidAsync(string guid, string? format = null) => throw new NotSupportedException();

    public Task<RegisteredSchema> LookupSchemaAsync(string subject, Schema schema, bool ignoreDeletedSchemas, bool normalize = false)
    {
        lock (_gate)
        {
            Enter();
            var canonical = Canonical(schema);
            return _idByCanonical.TryGetValue(canonical, out var id) && _subjects.TryGetValue(subject, out var v) && v.Contains(id)
                ? Task.FromResult(Registered(subject, id))
                : throw NotFound($"schema under subject {subject}");
        }
    }

    public Task<RegisteredSchema> GetRegisteredSchemaAsync(string subject, int version, bool ignoreDeletedSchemas = true)
    {
        lock (_gate)
        {
            Enter();
            return _subjects.TryGetValue(subject, out var v) && version >= 1 && version <= v.Count
                ? Task.FromResult(Registered(subject, v[version - 1]))
                : throw NotFound($"version {version} of {subject}");
        }
    }

    public async Task<string> GetSchemaAsync(string subject, int version) => (await GetRegisteredSchemaAsync(subject, version)).SchemaString;

    public Task<RegisteredSchema> GetLatestSchemaAsync(string subject)
    {
        lock (_gate)
        {
            Enter();
            return _subjects.TryGetValue(subject, out var v) && v.Count > 0
                ? Task.FromResult(Registered(subject, v[^1]))
                : throw NotFound($"subject {subject}");
        }
    }

    public Task<RegisteredSchema> GetLatestWithMetadataAsync(string subject, IDictionary<string, string> metadata, bool ignoreDeletedSchemas) => throw new NotSupportedException();

    public Task<List<string>> GetAllSubjectsAsync()
    {
        lock (_gate)
        {
            return Task.FromResult(_subjects.Keys.ToList());
        }
    }

    public Task<List<int>> GetSubjectVersionsAsync(string subject)
    {
        lock (_gate)
        {
            return Task.FromResult(_subjects.TryGetValue(subject, out var v) ? Enumerable.Range(1, v.Count).ToList() : []);
        }
    }

    public Task<bool> IsCompatibleAsync(string subject, string avroSchema) => Task.FromResult(true);

    public Task<bool> IsCompatibleAsync(string subject, Schema schema) => Task.FromResult(true);

    public string ConstructKeySubjectName(string topic, string? recordType = null) => topic + "-key";

    public string ConstructValueSubjectName(string topic, string? recordType = null) => topic + "-value";

    public Task<Compatibility> GetCompatibilityAsync(string? subject = null) => Task.FromResult(Compatibility.Backward);

    public Task<Compatibility> UpdateCompatibilityAsync(Compatibility compatibility, string? subject = null) => Task.FromResult(compatibility);

    public Task<List<Association>> GetAssociationsByResourceNameAsync(string resourceName, string resourceNamespace, string resourceType, List<string> associationTypes, string lifecycle, int offset, int limit) => Task.FromResult(new List<Association>());

    public Task<AssociationResponse> CreateAssociationAsync(AssociationCreateOrUpdateRequest request) => throw new NotSupportedException();

    public Task DeleteAssociationsAsync(string resourceId, string resourceType, List<string> associationTypes, bool cascadeLifecycle) => throw new NotSupportedException();

    public void ClearLatestCaches()
    {
    }

    public void ClearCaches()
    {
    }

    public void Dispose()
    {
    }

    private void Enter()
    {
        Calls++;
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
    }

    private RegisteredSchema Registered(string subject, int id) =>
        new(subject, _subjects[subject].IndexOf(id) + 1, id, _byId[id].SchemaString, _byId[id].SchemaType, []);

    private static string Canonical(Schema schema) =>
        schema.SchemaType == SchemaType.Avro ? AvroSchema.Parse(schema.SchemaString).CanonicalForm : schema.SchemaType + ":" + schema.SchemaString;

    private static SchemaRegistryException NotFound(string what) => new($"{what} not found", HttpStatusCode.NotFound, 40403);
}
