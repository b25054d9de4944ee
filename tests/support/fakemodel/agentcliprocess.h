// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QProcess>

namespace hive::test {

/// The real agent CLI (`claude -p --output-format stream-json`) as one agent of a FakeModelServer, with the
/// environment of /work/shared/notes/agent-cli.md §2: a private HOME and XDG dirs, ANTHROPIC_BASE_URL, a dummy key,
/// no nonessential traffic, no retries, a 10 s request time-out, and x-fake-agent naming the agent. Waits spin the
/// event loop, so a server in the same thread answers meanwhile.
class AgentCliProcess
{
public:
    /// One finished run: its stream-json lines and the final result line.
    struct Run {
        bool finished = false; ///< false: killed after the time-out
        int exitCode = -1;     ///< -1 on a crash
        QList<QJsonObject> lines;
        QJsonObject result;
        QByteArray err;
        qint64 elapsedMs = 0;

        /// The lines of one type (and subtype, when given).
        [[nodiscard]] QList<QJsonObject> of(const QString &type, const QString &subtype = {}) const;
        /// Exit code, result line and stderr, for failure messages.
        [[nodiscard]] QByteArray describe() const;
    };

    /// $HIVE_AGENT_CLI, or /usr/local/lib/hyperhive/agent-cli/claude.
    [[nodiscard]] static QString path();

    AgentCliProcess(const QString &baseUrl, const QString &agent, const QString &home, const QString &workDir);
    ~AgentCliProcess();
    Q_DISABLE_COPY_MOVE(AgentCliProcess)

    void setEnv(const QString &key, const QString &value);
    /// Starts the CLI with the prompt on stdin. `arguments` follow -p, stream-json output and --strict-mcp-config;
    /// `--model hive-fake-model` and `--tools ""` are added unless `arguments` name a model or tools.
    void start(const QString &prompt, const QStringList &arguments = {});
    /// Waits for the exit (killing the CLI after `timeoutMs`) and parses its output.
    [[nodiscard]] Run finish(int timeoutMs = 30000);
    [[nodiscard]] Run run(const QString &prompt, const QStringList &arguments = {});

private:
    QProcess m_process;
    QElapsedTimer m_timer;
};

} // namespace hive::test
