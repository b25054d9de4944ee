// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include <sys/types.h>

#include <memory>

namespace hive::bench {

/// A child process spoken to in newline-delimited JSON-RPC 2.0 over its stdin and stdout: the client side of an
/// MCP stdio server, as the agent CLI is. Blocking, one call at a time, no event loop (as RpcSocket, the anchor's
/// client), so that what a call costs is the server's, not a client framework's. The child dies with the benchmark
/// (PR_SET_PDEATHSIG); going away closes its stdin (an MCP server ends there) and kills it if it lingers.
class StdioRpc
{
public:
    ~StdioRpc();
    StdioRpc(const StdioRpc &) = delete;
    StdioRpc &operator=(const StdioRpc &) = delete;

    /// Starts `program`; its stderr goes to `logPath`.
    [[nodiscard]] static Result<std::unique_ptr<StdioRpc>> start(const QString &program, const QStringList &arguments,
                                                                 const QString &logPath);

    /// Sends `method` with `params` (the text of a JSON object) and waits up to `timeoutMs` for the response with
    /// its id; requests and notifications from the server meanwhile are skipped. Returns `result`.
    [[nodiscard]] Result<QJsonObject> call(const QByteArray &method, const QByteArray &params, int timeoutMs);
    /// A notification: nothing comes back.
    [[nodiscard]] Result<void> notify(const QByteArray &method, const QByteArray &params);

private:
    StdioRpc(pid_t pid, int input, int output) : m_pid(pid), m_input(input), m_output(output) {}
    [[nodiscard]] Result<void> writeAll(const QByteArray &data);
    [[nodiscard]] Result<QByteArray> readLine(qint64 deadlineNs);

    pid_t m_pid = -1;
    int m_input = -1;  ///< the child's stdin
    int m_output = -1; ///< the child's stdout
    QByteArray m_buffer;
    qint64 m_nextId = 1;
};

} // namespace hive::bench
