// SPDX-License-Identifier: MIT
// hivectl's questions, answer, reminders and threads commands against a real hive-engine process,
// with an agent on its own socket asking and setting reminders as a harness would.
#include "engineprocess.h"
#include "hivectlrun.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

using hive::test::parseObject;
using Run = hive::test::HivectlRun;

} // namespace

class TestHivectlThreads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void questionsRemindersAndThreads();

private:
    [[nodiscard]] Run local(const QStringList &arguments) const
    {
        return hive::test::runHivectl(QStringList{QStringLiteral("--state-dir"), m_stateDir} + arguments);
    }

    QTemporaryDir m_dir;
    QString m_stateDir;
    std::unique_ptr<hive::test::EngineProcess> m_engine;
};

void TestHivectlThreads::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_stateDir = m_dir.filePath(QStringLiteral("s"));
    m_engine = std::make_unique<hive::test::EngineProcess>(m_stateDir, m_dir.filePath(QStringLiteral("engine.log")));
    auto started = m_engine->start({QStringLiteral("--listen"), QStringLiteral("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestHivectlThreads::questionsRemindersAndThreads()
{
    QVERIFY(local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("dave")}).exitCode == 0);
    hive::client::RpcClient dave(new hive::client::LocalSocketPeer(
        QDir(m_stateDir).absoluteFilePath(QStringLiteral("run/agents/dave/agent.sock"))));
    QVERIFY(dave.openAndWait(10000));
    auto asked = dave.callAndWait<hive::protocol::AskMethod>(
        hive::protocol::AskParams{QStringLiteral("deploy on Friday?"),
                                  {QStringLiteral("yes"), QStringLiteral("no")},
                                  false,
                                  3600,
                                  QStringLiteral("operator")},
        10000);
    QVERIFY(asked);
    auto reminder = dave.callAndWait<hive::protocol::RemindMethod>(
        hive::protocol::RemindParams{QStringLiteral("check the canary"), 3600, std::nullopt}, 10000);
    QVERIFY(reminder);

    const Run questions = local({QStringLiteral("questions")});
    QVERIFY2(questions.exitCode == 0, qPrintable(questions.describe()));
    QVERIFY2(questions.out.contains(QStringLiteral("deploy on Friday? [yes | no]")) &&
                 questions.out.contains(QStringLiteral("open")),
             qPrintable(questions.out));
    const Run threads = local({QStringLiteral("threads"), QStringLiteral("--agent"), QStringLiteral("dave")});
    QVERIFY2(threads.exitCode == 0 && threads.out.contains(QStringLiteral("Open questions:")) &&
                 threads.out.contains(QStringLiteral("Reminders:")) &&
                 threads.out.contains(QStringLiteral("check the canary")),
             qPrintable(threads.describe()));

    const Run answered =
        local({QStringLiteral("answer"), QString::number(asked->id), QStringLiteral("no,"), QStringLiteral("Monday")});
    QVERIFY2(answered.exitCode == 0, qPrintable(answered.describe()));
    auto told = dave.callAndWait<hive::protocol::RecvMethod>(hive::protocol::RecvParams{5.0, 1}, 10000);
    QVERIFY(told && told->messages.size() == 1);
    QString error;
    const QJsonObject event = parseObject(told->messages.first().body, &error);
    QCOMPARE(event.value(QStringLiteral("event")).toString(), QStringLiteral("question_answered"));
    QCOMPARE(event.value(QStringLiteral("answer")).toString(), QStringLiteral("no, Monday"));
    const Run again = local({QStringLiteral("answer"), QString::number(asked->id), QStringLiteral("yes")});
    QVERIFY2(again.exitCode == 1 && again.err.contains(QStringLiteral("already answered")),
             qPrintable(again.describe()));
    const Run all = local(
        {QStringLiteral("--json"), QStringLiteral("questions"), QStringLiteral("--state"), QStringLiteral("all")});
    const QJsonArray listed = parseObject(all.out, &error).value(QStringLiteral("questions")).toArray();
    QVERIFY2(error.isEmpty() && listed.size() == 1, qPrintable(all.describe()));
    QCOMPARE(listed.first().toObject().value(QStringLiteral("answered_by")).toString(), QStringLiteral("operator"));

    const Run reminders = local({QStringLiteral("reminders"), QStringLiteral("--state"), QStringLiteral("pending")});
    QVERIFY2(reminders.exitCode == 0 && reminders.out.contains(QStringLiteral("check the canary")),
             qPrintable(reminders.describe()));
    const Run cancelled = local({QStringLiteral("reminders"), QStringLiteral("cancel"), QString::number(reminder->id)});
    QVERIFY2(cancelled.exitCode == 0, qPrintable(cancelled.describe()));
    const Run retried = local({QStringLiteral("reminders"), QStringLiteral("retry"), QString::number(reminder->id)});
    QVERIFY2(retried.exitCode == 1 && retried.err.contains(QStringLiteral("is cancelled")),
             qPrintable(retried.describe()));
    const Run none = local({QStringLiteral("threads")});
    QVERIFY2(none.exitCode == 0 && none.out.trimmed() == QStringLiteral("no open threads"),
             qPrintable(none.describe()));

    // Usage errors are exit 2 and never reach the engine.
    for (const QStringList &bad :
         {QStringList{QStringLiteral("answer"), QString::number(asked->id)},
          QStringList{QStringLiteral("answer"), QStringLiteral("x7"), QStringLiteral("yes")},
          QStringList{QStringLiteral("questions"), QStringLiteral("--state"), QStringLiteral("pending")},
          QStringList{QStringLiteral("reminders"), QStringLiteral("snooze"), QStringLiteral("3")},
          QStringList{QStringLiteral("reminders"), QStringLiteral("cancel")}}) {
        const Run run = local(bad);
        QVERIFY2(run.exitCode == 2 && run.err.contains(QStringLiteral("hivectl --help")), qPrintable(run.describe()));
    }
}

QTEST_GUILESS_MAIN(TestHivectlThreads)
#include "tst_hivectlthreads.moc"
