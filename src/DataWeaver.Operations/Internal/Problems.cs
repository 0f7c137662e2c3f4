using Microsoft.AspNetCore.Http;

namespace DataWeaver.Operations.Internal;

/// <summary>The management API's errors, as RFC 7807 problem details (<c>application/problem+json</c>).</summary>
internal static class Problems
{
    public const string NotFoundType = "urn:dataweaver:problem:pipeline-not-found";
    public const string ConflictType = "urn:dataweaver:problem:invalid-state";
    public const string UnauthorizedType = "urn:dataweaver:problem:unauthorized";
    public const string FailedType = "urn:dataweaver:problem:operation-failed";
    public const string InvalidDefinitionType = "urn:dataweaver:problem:invalid-definition";
    public const string ReloadUnavailableType = "urn:dataweaver:problem:reload-unavailable";

    public static IResult NotFound(string name) => Results.Problem(
        title: "No such pipeline",
        detail: $"No pipeline is named '{name}'.",
        statusCode: StatusCodes.Status404NotFound,
        type: NotFoundType);

    public static IResult Conflict(string detail) => Results.Problem(
        title: "The pipeline is not in a state that allows this",
        detail: detail,
        statusCode: StatusCodes.Status409Conflict,
        type: ConflictType);

    public static IResult Unauthorized() => Results.Problem(
        title: "A bearer token is required",
        detail: "Send the operations token in an 'Authorization: Bearer' header.",
        statusCode: StatusCodes.Status401Unauthorized,
        type: UnauthorizedType);

    public static IResult Failed(string detail) => Results.Problem(
        title: "The operation failed",
        detail: detail,
        statusCode: StatusCodes.Status500InternalServerError,
        type: FailedType);

    public static IResult InvalidDefinition(string detail) => Results.Problem(
        title: "The new definition file is invalid; nothing changed",
        detail: detail,
        statusCode: StatusCodes.Status422UnprocessableEntity,
        type: InvalidDefinitionType);

    public static IResult ReloadUnavailable() => Results.Problem(
        title: "Nothing to reload",
        detail: "This process runs no definition file (reload is for 'dataweaver run FILE').",
        statusCode: StatusCodes.Status501NotImplemented,
        type: ReloadUnavailableType);
}
