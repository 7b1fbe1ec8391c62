using Npgsql;

namespace ModelMonitor.Pins;

/// One pooled connection per scope (per HTTP request) for the plain-SQL hot path: the token lookup, the
/// catalog read and the registration batch share it, so a registration costs one pool rent and one session
/// reset instead of one per step. Opened on first use, returned to the pool when the scope ends.
public sealed class ScopedConnection(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;

    public async ValueTask<NpgsqlConnection> GetAsync(CancellationToken cancellationToken) =>
        _connection ??= await dataSource.OpenConnectionAsync(cancellationToken);

    /// Returns the connection to the pool now; a later GetAsync opens one again.
    public ValueTask ReleaseAsync() => DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = null;
    }
}
