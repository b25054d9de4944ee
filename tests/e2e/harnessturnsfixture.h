// SPDX-License-Identifier: MIT
// The fixture of the turn-loop end-to-end tests (tst_harnessturns, tst_harnessfailures): hive-engine,
// `hive-harness serve` per agent, the real agent CLI and the scripted model server on loopback.
#pragma once

#include "engineprocess.h"
#include "fakemodelserver.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"
#include "testsupport.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace hive::test::turns {

using namespace hive::protocol; // the fixture and its tests speak the protocol's types

inline constexpr int CallTimeout = 30000;
inline constexpr int TurnTimeout = 60000; // a CLI turn takes about a second; the first in a container a little more

inline QString cliPath()
{
    const QString fromEnv = qEnvironmentVariable("HIVE_AGENT_CLI");
    return fromEnv.isEmpty() ? QStringLiteral("/usr/local/lib/hyperhive/agent-cli/claude") : fromEnv;
}

inline QJsonObject text(const QString &t)
{
    return QJsonObject{{QStringLiteral("text"), t}};
}

inline QJsonObject toolUse(const QString &name, const QJsonObject &input)
{
    return QJsonObject{
        {QStringLiteral("tool_use"), QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("input"), input}}}};
}

inline QJsonObject reply(const QJsonArray &blocks, const QString &expect = {})
{
    QJsonObject step{{QStringLiteral("reply"), blocks}};
    if (!expect.isEmpty())
        step.insert(QStringLiteral("expect"), expect);
    return step;
}

inline QJsonObject errorStep(int status, const QString &type, const QString &message, int repeat)
{
    return QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("status"), status},
                                                             {QStringLiteral("type"), type},
                                                             {QStringLiteral("message"), message}}},
                       {QStringLiteral("repeat"), repeat}};
}

} // namespace hive::test::turns

namespace hive::test::turns {

/// One engine process, a scripted model server and a `hive-harness serve` per agent for each test function:
/// in real containers as root (unless HIVE_TEST_HARNESS_ON_HOST=1), else host processes on the agents' sockets.
class HarnessTurnsFixture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

protected:
    [[nodiscard]] Result<void> startSwarm(const QByteArray &harnessExtra = {});
    [[nodiscard]] Result<void> addAgent(const QString &name);
    [[nodiscard]] Result<void> startHarness(const QString &name);
    void killHarness(const QString &name);
    [[nodiscard]] Result<AgentInfo> agent(const QString &name);
    [[nodiscard]] QString notesPath(const QString &name) const;
    /// Index of the first agent_turn "ended" event of `agent` at or after `from` with this exit, or -1.
    qsizetype waitForTurnEnd(const QString &agentName, const QString &exit, qsizetype from,
                             int timeoutMs = TurnTimeout);
    /// Whether the agent's inbox has nothing queued or in flight.
    bool inboxEmpty(const QString &name);
    [[nodiscard]] Result<SendResult> sendAsOperator(const QString &to, const QString &body);
    /// The sum of a stats key's samples of the last hour (-1 when the query fails).
    [[nodiscard]] double statSum(const QString &agentName, const QString &key);
    template<typename M>
    Result<typename M::Result> call(const typename M::Params &params)
    {
        return m_client->callAndWait<M>(params, CallTimeout);
    }
    void dumpLogs();

    bool m_containers = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_state;
    std::unique_ptr<FakeModelServer> m_fake;
    std::unique_ptr<EngineProcess> m_engine;
    std::unique_ptr<client::RpcClient> m_client;
    QList<Event> m_events;
    QHash<QString, QProcess *> m_harnesses; ///< host mode: one `hive-harness serve` per agent
    QHash<QString, QString> m_sockets;      ///< host mode: the agents' sockets
};

} // namespace hive::test::turns
