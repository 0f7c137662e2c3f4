namespace DataWeaver.Serialization.SchemaRegistry.Avro;

/// <summary>Where the serializer's schema id comes from.</summary>
public enum SchemaIdSource
{
    /// <summary>Register the schema under the subject on first use (the registry returns the existing id when it is already there).</summary>
    Register,

    /// <summary>Look the schema up under the subject on first use; never register (fails when it is not registered).</summary>
    Lookup,

    /// <summary>Write with the latest version registered under the subject, and its id.</summary>
    Latest,

    /// <summary>Write with a given id (<see cref="RegistrySubjectOptions.SchemaId"/>); the registry's schema of that id is checked to be the serializer's.</summary>
    Explicit,
}
