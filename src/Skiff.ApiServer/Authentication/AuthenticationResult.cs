namespace Skiff.ApiServer.Authentication;

/// <summary>
/// The answer of one authenticator for one request. Three outcomes, as upstream distinguishes them:
/// the request carried no credential this authenticator understands (try the next, then anonymous);
/// it carried a good one (<see cref="User"/>); or it carried a bad one (answer 401, never anonymous).
/// Immutable.
/// </summary>
public sealed class AuthenticationResult
{
    private AuthenticationResult(UserInfo? user, string? failure)
    {
        User = user;
        Failure = failure;
    }

    /// <summary>No credential of this kind was presented.</summary>
    public static AuthenticationResult NoCredentials { get; } = new(null, null);

    /// <summary>The authenticated user, or null.</summary>
    public UserInfo? User { get; }

    /// <summary>Why a presented credential was rejected, or null. For logs, not for the client.</summary>
    public string? Failure { get; }

    public bool IsAuthenticated => User is not null;

    public bool IsFailure => Failure is not null;

    public static AuthenticationResult Success(UserInfo user) => new(user ?? throw new ArgumentNullException(nameof(user)), null);

    public static AuthenticationResult Fail(string reason) => new(null, reason);

    /// <summary>The user to act as: the authenticated one, or anonymous when nothing was presented. Null on failure.</summary>
    public UserInfo? UserOrAnonymous => IsFailure ? null : User ?? UserInfo.Anonymous;

    public override string ToString() =>
        User is not null ? $"authenticated as {User.Name}" : Failure is not null ? $"rejected: {Failure}" : "no credentials";
}
