// SPDX-License-Identifier: MIT
#include "agentcliprocess.h"

#include <QJsonDocument>
#include <QTest>

namespace hive::test {

QList<QJsonObject> AgentCliProcess::Run::of(const QString &type, const QString &subtype) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &line : lines) {
        if (line.value(QLatin1String("type")).toString() == type &&
            (subtype.isEmpty() || line.value(QLatin1String("subtype")).toString() == subtype))
            found << line;
    }
    return found;
}

QByteArray AgentCliProcess::Run::describe() const
{
    return "exit " + QByteArray::number(exitCode) + (finished ? "" : " (killed after the time-out)") + ", result " +
           QJsonDocument(result).toJson(QJsonDocument::Compact) + ", stderr: " + err.left(2000);
}

QString AgentCliProcess::path()
{
    const QString configured = qEnvironmentVariable("HIVE_AGENT_CLI");
    return configured.isEmpty() ? QStringLiteral("/usr/local/lib/hyperhive/agent-cli/claude") : configured;
}

AgentCliProcess::AgentCliProcess(const QString &baseUrl, const QString &agent, const QString &home,
                                 const QString &workDir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Nothing of the developer's own setup (a real key, another base URL) may reach the CLI.
    for (const QString &key : env.keys()) {
        if (key.startsWith(QLatin1String("ANTHROPIC_")) || key.startsWith(QLatin1String("CLAUDE_")))
            env.remove(key);
    }
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/.cache"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    env.insert(QStringLiteral("XDG_STATE_HOME"), home + QStringLiteral("/.local/state"));
    env.insert(QStringLiteral("ANTHROPIC_BASE_URL"), baseUrl);
    env.insert(QStringLiteral("ANTHROPIC_API_KEY"), QStringLiteral("dummy"));
    env.insert(QStringLiteral("ANTHROPIC_CUSTOM_HEADERS"), QStringLiteral("x-fake-agent: ") + agent);
    env.insert(QStringLiteral("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), QStringLiteral("1"));
    env.insert(QStringLiteral("DISABLE_AUTOUPDATER"), QStringLiteral("1"));
    env.insert(QStringLiteral("CLAUDE_CODE_MAX_RETRIES"), QStringLiteral("0"));
    env.insert(QStringLiteral("API_TIMEOUT_MS"), QStringLiteral("10000"));
    m_process.setProcessEnvironment(env);
    m_process.setWorkingDirectory(workDir);
}

AgentCliProcess::~AgentCliProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void AgentCliProcess::setEnv(const QString &key, const QString &value)
{
    QProcessEnvironment env = m_process.processEnvironment();
    env.insert(key, value);
    m_process.setProcessEnvironment(env);
}

void AgentCliProcess::start(const QString &prompt, const QStringList &arguments)
{
    QStringList all{QStringLiteral("-p"), QStringLiteral("--output-format"), QStringLiteral("stream-json"),
                    QStringLiteral("--verbose"), QStringLiteral("--strict-mcp-config")};
    if (!arguments.contains(QStringLiteral("--model")))
        all << QStringLiteral("--model") << QStringLiteral("hive-fake-model");
    if (!arguments.contains(QStringLiteral("--tools")))
        all << QStringLiteral("--tools") << QString();
    m_timer.start();
    m_process.start(path(), all + arguments);
    m_process.write(prompt.toUtf8());
    m_process.closeWriteChannel();
}

AgentCliProcess::Run AgentCliProcess::finish(int timeoutMs)
{
    Run run;
    run.finished = QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    run.elapsedMs = m_timer.elapsed();
    if (!run.finished) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    run.exitCode = m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    run.err = m_process.readAllStandardError();
    for (const QByteArray &line : m_process.readAllStandardOutput().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.isEmpty())
            continue;
        run.lines << object;
        if (object.value(QLatin1String("type")).toString() == QLatin1String("result"))
            run.result = object;
    }
    return run;
}

AgentCliProcess::Run AgentCliProcess::run(const QString &prompt, const QStringList &arguments)
{
    start(prompt, arguments);
    return finish();
}

} // namespace hive::test
