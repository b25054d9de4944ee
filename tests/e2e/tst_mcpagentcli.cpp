// SPDX-License-Identifier: MIT
// The real agent CLI (HIVE_AGENT_CLI, default /usr/local/lib/hyperhive/agent-cli/claude) takes
// `hive-harness mcp` for a working MCP server: configured in a fresh HOME with `claude mcp
// add-json`, `claude mcp list` and `claude mcp get` report it connected, with a real engine behind
// it and without one. A server that cannot start is reported as failed, so the check tells them
// apart. No model is needed: the CLI only starts each server and asks it initialize and tools/list.
#include "engineprocess.h"
#include "hivectlrun.h"
#include "testsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

constexpr int Timeout = 60000;

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// $HIVE_AGENT_CLI, or where scripts/setup installs the CLI.
QString agentCli()
{
    const QString configured = qEnvironmentVariable("HIVE_AGENT_CLI");
    return configured.isEmpty() ? key("/usr/local/lib/hyperhive/agent-cli/claude") : configured;
}

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
    [[nodiscard]] QString describe() const
    {
        return QStringLiteral("exit %1\n--- stdout:\n%2\n--- stderr:\n%3").arg(exitCode).arg(out, err);
    }
};

} // namespace

class TestMcpAgentCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cliReportsHiveConnected();

private:
    /// The CLI with `arguments` in the private HOME, no model traffic.
    CliRun cli(const QStringList &arguments) const;
    /// `claude mcp add-json --scope user NAME CONFIG`.
    void addServer(const QString &name, const QJsonObject &config) const;

    QTemporaryDir m_dir;
    QString m_home;
    QString m_stateDir;
    std::unique_ptr<hive::test::EngineProcess> m_engine;
};

void TestMcpAgentCli::initTestCase()
{
    const QFileInfo cliFile(agentCli());
    QVERIFY2(cliFile.isExecutable(),
             qPrintable(QStringLiteral("the agent CLI is not at %1: install it (scripts/setup) or point HIVE_AGENT_CLI "
                                       "at it")
                            .arg(agentCli())));
    QVERIFY(m_dir.isValid());
    m_home = m_dir.filePath(key("home"));
    QVERIFY(QDir().mkpath(m_home));
    m_stateDir = m_dir.filePath(key("s"));
    m_engine = std::make_unique<hive::test::EngineProcess>(m_stateDir, m_dir.filePath(key("engine.log")));
    auto started = m_engine->start({key("--listen"), key("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const auto added = hive::test::runHivectl({key("--state-dir"), m_stateDir, key("agent"), key("add"), key("alice")});
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
}

CliRun TestMcpAgentCli::cli(const QStringList &arguments) const
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : env.keys()) {
        if (name.startsWith(key("ANTHROPIC_")) || name.startsWith(key("CLAUDE")))
            env.remove(name);
    }
    env.insert(key("HOME"), m_home);
    env.insert(key("XDG_CONFIG_HOME"), m_home + key("/.config"));
    env.insert(key("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), key("1"));
    env.insert(key("DISABLE_AUTOUPDATER"), key("1"));
    process.setProcessEnvironment(env);
    process.setWorkingDirectory(m_home);
    process.start(agentCli(), arguments);
    process.closeWriteChannel();
    CliRun run;
    if (!process.waitForFinished(Timeout)) {
        process.kill();
        process.waitForFinished(5000);
    } else if (process.exitStatus() == QProcess::NormalExit) {
        run.exitCode = process.exitCode();
    }
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

void TestMcpAgentCli::addServer(const QString &name, const QJsonObject &config) const
{
    const CliRun added = cli({key("mcp"), key("add-json"), key("--scope"), key("user"), name,
                              QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact))});
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
}

void TestMcpAgentCli::cliReportsHiveConnected()
{
    const QString harness = hive::test::binaryPath(key("hive-harness"));
    const QString socket = QDir(m_stateDir).absoluteFilePath(key("run/agents/alice/agent.sock"));
    const auto stdio = [&](const QString &command, const QStringList &args) {
        return QJsonObject{
            {key("type"), key("stdio")}, {key("command"), command}, {key("args"), QJsonArray::fromStringList(args)}};
    };
    addServer(key("hive"), stdio(harness, {key("mcp"), key("--socket"), socket}));
    addServer(key("offline"), stdio(harness, {key("mcp"), key("--socket"), m_dir.filePath(key("none.sock"))}));
    addServer(key("broken"), stdio(key("/bin/false"), {}));

    const CliRun listed = cli({key("mcp"), key("list")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    QHash<QString, QString> status;
    for (const QString &line : listed.out.split(QLatin1Char('\n'))) {
        const qsizetype colon = line.indexOf(key(": "));
        if (colon > 0)
            status.insert(line.left(colon), line.mid(colon + 2));
    }
    const QString connected = QString::fromUtf8("- \u2714 Connected");
    QVERIFY2(status.value(key("hive")) == QStringLiteral("%1 mcp --socket %2 %3").arg(harness, socket, connected),
             qPrintable(listed.describe()));
    // Without an engine the server still answers initialize and tools/list (tool calls say the engine is down).
    QVERIFY2(status.value(key("offline")).endsWith(connected), qPrintable(listed.describe()));
    QVERIFY2(status.value(key("broken")).contains(QString::fromUtf8("\u2718 Failed to connect")),
             qPrintable(listed.describe()));

    const CliRun got = cli({key("mcp"), key("get"), key("hive")});
    QVERIFY2(got.exitCode == 0 && got.out.contains(QString::fromUtf8("Status: \u2714 Connected")),
             qPrintable(got.describe()));
}

QTEST_GUILESS_MAIN(TestMcpAgentCli)
#include "tst_mcpagentcli.moc"
