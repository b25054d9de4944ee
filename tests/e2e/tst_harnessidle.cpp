// SPDX-License-Identifier: MIT
// hive-harness idle as a process: it stops on SIGTERM whatever it is doing, also while its first
// connection waits for an engine that does not answer (an agent_kill right after agent_start
// must not wait out the engine's stop grace).
#include "testsupport.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestHarnessIdle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void stopsWhileTheEngineDoesNotAnswer();
    void stopsWhileNoEngineIsThere();

private:
    /// SIGTERM to the harness; true when it exits 0 within 3 s.
    static bool stopsOnSigterm(QProcess &harness);
};

bool TestHarnessIdle::stopsOnSigterm(QProcess &harness)
{
    ::kill(static_cast<pid_t>(harness.processId()), SIGTERM);
    if (!harness.waitForFinished(3000)) {
        harness.kill();
        harness.waitForFinished(3000);
        return false;
    }
    return harness.exitStatus() == QProcess::NormalExit && harness.exitCode() == 0;
}

void TestHarnessIdle::stopsWhileTheEngineDoesNotAnswer()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("agent.sock"));
    QLocalServer silent; // accepts, reads nothing, answers nothing: whoami waits for its 5 s time-out
    QVERIFY(silent.listen(path));
    QProcess harness;
    harness.start(hive::test::binaryPath(QStringLiteral("hive-harness")),
                  {QStringLiteral("idle"), QStringLiteral("--socket"), path});
    QVERIFY(harness.waitForStarted());
    QVERIFY(silent.waitForNewConnection(5000));
    QLocalSocket *accepted = silent.nextPendingConnection();
    QVERIFY(accepted);
    QVERIFY(QTest::qWaitFor([&] { return accepted->bytesAvailable() > 0 || accepted->waitForReadyRead(50); }, 5000));
    QVERIFY2(stopsOnSigterm(harness), harness.readAllStandardError().constData());
}

void TestHarnessIdle::stopsWhileNoEngineIsThere()
{
    QTemporaryDir dir;
    QProcess harness;
    harness.start(hive::test::binaryPath(QStringLiteral("hive-harness")),
                  {QStringLiteral("idle"), QStringLiteral("--socket"), dir.filePath(QStringLiteral("none.sock"))});
    QVERIFY(harness.waitForStarted());
    QVERIFY(QTest::qWaitFor([&] { return harness.readAllStandardError().contains("retrying every second"); }, 5000));
    QVERIFY(stopsOnSigterm(harness));
}

QTEST_GUILESS_MAIN(TestHarnessIdle)
#include "tst_harnessidle.moc"
