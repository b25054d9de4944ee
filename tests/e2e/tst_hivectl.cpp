// SPDX-License-Identifier: MIT
// The real hive-engine as a process on a temporary state dir, driven by the real hivectl over the
// admin socket and over wss. The cases run in order and build on each other (tokens, pins).
#include "hivectlrun.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/prctl.h>

#include <memory>

namespace {

using hive::test::parseObject;
constexpr int HivectlTimeoutMs = 60 * 1000;
constexpr int EngineStartTimeoutMs = 60 * 1000;

using Run = hive::test::HivectlRun;

// A fingerprint with its first hex digit changed: same form, different certificate.
QString otherFingerprint(const QString &fingerprint)
{
    QString other = fingerprint;
    other[0] = other.at(0) == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
    return other;
}

} // namespace

class TestHivectl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void statusOverAdminSocket();
    void tokenLifecycleOverAdminSocket();
    void usageErrorsExitTwo();
    void untrustedEngineIsRefusedWithoutTty();
    void wrongTrustFingerprintIsRefused();
    void rightTrustFingerprintPins();
    void tokenCreateOverWss();
    void viewerForbiddenIsAudited();
    void eventsReplaySinceZero();
    void eventsFollowOverWss();
    void revokedTokenCannotConnect();
    void secondEngineIsRefused();
    void jsonOutputsParse();
    void agentsAndMessages();
    void changedCertificateIsRefused();
    void brokenAuditChainExitsOne();

private:
    [[nodiscard]] Run hivectl(const QStringList &arguments, const QString &token = {},
                              int timeoutMs = HivectlTimeoutMs) const;
    [[nodiscard]] Run local(const QStringList &arguments) const;
    [[nodiscard]] Run remote(const QStringList &arguments, const QString &token) const;
    [[nodiscard]] QString url() const;
    [[nodiscard]] QString knownEnginesPath() const;
    [[nodiscard]] QString engineLog() const;
    /// Starts hive-engine on m_stateDir and waits until `hivectl status` answers; port 0 = any.
    void startEngine(quint16 port);
    /// SIGTERM, and the engine must stop cleanly with exit code 0.
    void stopEngine();

    QTemporaryDir m_dir;
    QString m_stateDir;
    std::unique_ptr<QProcess> m_engine;
    int m_engineStarts = 0;
    quint16 m_port = 0;
    QString m_fingerprint;
    QString m_adminSecret;
    QString m_viewerSecret;
};

// ---- helpers

Run TestHivectl::hivectl(const QStringList &arguments, const QString &token, int timeoutMs) const
{
    return hive::test::runHivectl(arguments, token, timeoutMs);
}

Run TestHivectl::local(const QStringList &arguments) const
{
    return hivectl(QStringList{QStringLiteral("--state-dir"), m_stateDir} + arguments);
}

Run TestHivectl::remote(const QStringList &arguments, const QString &token) const
{
    return hivectl(QStringList{QStringLiteral("--url"), url()} + arguments, token);
}

QString TestHivectl::url() const
{
    return QStringLiteral("wss://127.0.0.1:%1").arg(m_port);
}

QString TestHivectl::knownEnginesPath() const
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/hyperhive/known_engines");
}

QString TestHivectl::engineLog() const
{
    QFile file(m_dir.filePath(QStringLiteral("engine-%1.log").arg(m_engineStarts)));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

void TestHivectl::startEngine(quint16 port)
{
    ++m_engineStarts;
    m_engine = std::make_unique<QProcess>();
    // The engine's log goes to a file: an unread pipe could fill up and stall it.
    const QString log = m_dir.filePath(QStringLiteral("engine-%1.log").arg(m_engineStarts));
    m_engine->setStandardOutputFile(log);
    m_engine->setStandardErrorFile(log, QIODevice::Append);
    // Even if this test crashes or ctest kills it, no engine outlives it.
    m_engine->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    // No manager container: these engines are many, and CI runs them as root.
    const QString config = m_dir.filePath(QStringLiteral("engine.conf"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QVERIFY(file.write("[containers]\nbackend = \"none\"\n") > 0);
    file.close();
    m_engine->start(hive::test::binaryPath(QStringLiteral("hive-engine")),
                    {QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("--config"), config,
                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port)});
    QVERIFY2(m_engine->waitForStarted(10000), qPrintable(m_engine->errorString()));

    QElapsedTimer timer;
    timer.start();
    Run status;
    while (timer.elapsed() < EngineStartTimeoutMs) {
        QVERIFY2(
            m_engine->state() == QProcess::Running,
            qPrintable(QStringLiteral("hive-engine exited with %1:\n%2").arg(m_engine->exitCode()).arg(engineLog())));
        status = hivectl({QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("--timeout"), QStringLiteral("5"),
                          QStringLiteral("status"), QStringLiteral("--json")});
        if (status.exitCode == 0)
            break;
        QTest::qWait(100);
    }
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe() + QStringLiteral("\n--- engine log:\n") + engineLog()));

    QString error;
    const QJsonObject info = parseObject(status.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString listen = info.value(QStringLiteral("listen")).toString();
    bool ok = false;
    m_port = listen.section(QLatin1Char(':'), -1).toUShort(&ok);
    QVERIFY2(ok && m_port > 0, qPrintable(listen));
    m_fingerprint = info.value(QStringLiteral("tls_fingerprint")).toString();
    QCOMPARE(m_fingerprint.size(), 95);
}

void TestHivectl::stopEngine()
{
    QVERIFY(m_engine);
    ::kill(static_cast<pid_t>(m_engine->processId()), SIGTERM);
    QVERIFY2(m_engine->waitForFinished(30000), "hive-engine did not stop within 30 s of SIGTERM");
    QCOMPARE(m_engine->exitStatus(), QProcess::NormalExit);
    QVERIFY2(m_engine->exitCode() == 0, qPrintable(engineLog()));
    m_engine.reset();
}

// ---- set-up

void TestHivectl::initTestCase()
{
    QVERIFY(m_dir.isValid());
    for (const char *program : {"hive-engine", "hivectl"}) {
        const QString path = hive::test::binaryPath(QLatin1String(program));
        QVERIFY2(QFile::exists(path), qPrintable(path + QStringLiteral(" is not built")));
    }
    // A private HOME/XDG_CONFIG_HOME per test (hive_add_test), but a re-run must not find old pins.
    QFile::remove(knownEnginesPath());
    m_stateDir = m_dir.filePath(QStringLiteral("s"));
    startEngine(0);
}

void TestHivectl::cleanupTestCase()
{
    if (m_engine && m_engine->state() != QProcess::NotRunning) {
        ::kill(static_cast<pid_t>(m_engine->processId()), SIGTERM);
        if (!m_engine->waitForFinished(15000)) {
            m_engine->kill();
            m_engine->waitForFinished(5000);
        }
    }
    m_engine.reset();
}

// ---- cases

void TestHivectl::statusOverAdminSocket()
{
    const Run status = local({QStringLiteral("status")});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    for (const QString &expected : {QStringLiteral("TLS fingerprint"), m_fingerprint, QStringLiteral("state dir"),
                                    QDir(m_stateDir).absolutePath(), QStringLiteral("127.0.0.1:%1").arg(m_port),
                                    QStringLiteral("schema version")}) {
        QVERIFY2(status.out.contains(expected), qPrintable(expected + QStringLiteral(" missing:\n") + status.out));
    }

    const Run fingerprint = local({QStringLiteral("cert"), QStringLiteral("fingerprint")});
    QVERIFY2(fingerprint.exitCode == 0, qPrintable(fingerprint.describe()));
    QCOMPARE(fingerprint.out.trimmed(), m_fingerprint);
}

void TestHivectl::tokenLifecycleOverAdminSocket()
{
    const Run created = local({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("alice"),
                               QStringLiteral("--role"), QStringLiteral("operator")});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    QVERIFY2(created.out.contains(QStringLiteral("shown only this once")), qPrintable(created.out));

    const Run admin = local({QStringLiteral("--json"), QStringLiteral("token"), QStringLiteral("create"),
                             QStringLiteral("adminbot"), QStringLiteral("--role"), QStringLiteral("admin")});
    QVERIFY2(admin.exitCode == 0, qPrintable(admin.describe()));
    QString error;
    const QJsonObject result = parseObject(admin.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_adminSecret = result.value(QStringLiteral("secret")).toString();
    QVERIFY(!m_adminSecret.isEmpty());
    QCOMPARE(result.value(QStringLiteral("token")).toObject().value(QStringLiteral("role")).toString(),
             QStringLiteral("admin"));

    const Run list = local({QStringLiteral("token"), QStringLiteral("list")});
    QVERIFY2(list.exitCode == 0, qPrintable(list.describe()));
    QVERIFY2(list.out.startsWith(QStringLiteral("NAME")), qPrintable(list.out));
    QVERIFY(list.out.contains(QStringLiteral("alice")));
    QVERIFY(list.out.contains(QStringLiteral("adminbot")));
    QVERIFY2(!list.out.contains(m_adminSecret), "token list must never show a secret");

    const Run revoked = local({QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("alice")});
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.describe()));
    const Run listAfter = local({QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(listAfter.exitCode == 0, qPrintable(listAfter.describe()));
    const QJsonObject tokens = parseObject(listAfter.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QStringList names;
    for (const QJsonValue token : tokens.value(QStringLiteral("tokens")).toArray())
        names << token.toObject().value(QStringLiteral("name")).toString();
    QVERIFY2(!names.contains(QStringLiteral("alice")) && names.contains(QStringLiteral("adminbot")),
             qPrintable(names.join(QLatin1Char(','))));

    // The engine refuses: exit 1, its message on stderr.
    const Run missing = local({QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("nobody")});
    QVERIFY2(missing.exitCode == 1, qPrintable(missing.describe()));
    QVERIFY2(missing.err.startsWith(QStringLiteral("hivectl: ")), qPrintable(missing.err));

    const Run audit = local({QStringLiteral("audit")});
    QVERIFY2(audit.exitCode == 0, qPrintable(audit.describe()));
    QVERIFY2(audit.out.startsWith(QStringLiteral("ID")), qPrintable(audit.out));
    QVERIFY2(audit.out.contains(QStringLiteral("token_create")) && audit.out.contains(QStringLiteral("token_revoke")),
             qPrintable(audit.out));
    // Newest first: the failed revoke of "nobody" is the first row.
    const QStringList rows = audit.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(rows.size() >= 5 && rows.at(1).contains(QStringLiteral("not_found")), qPrintable(audit.out));
    QVERIFY2(!audit.out.contains(m_adminSecret), "the audit log must never show a secret");
}

void TestHivectl::usageErrorsExitTwo()
{
    const QList<QStringList> cases{
        {},
        {QStringLiteral("bogus")},
        {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("x")},
        {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("x"), QStringLiteral("--role"),
         QStringLiteral("root")},
        {QStringLiteral("status"), QStringLiteral("--bogus")},
        {QStringLiteral("audit"), QStringLiteral("--verify"), QStringLiteral("--limit"), QStringLiteral("3")},
        {QStringLiteral("--token"), QStringLiteral("x"), QStringLiteral("status")},
        {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"), QStringLiteral("status")},
        {QStringLiteral("--url"), url(), QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("missing")),
         QStringLiteral("status")},
        {QStringLiteral("--url"), url(), QStringLiteral("status")},
    };
    for (const QStringList &arguments : cases) {
        const Run run = hivectl(arguments);
        QVERIFY2(run.exitCode == 2,
                 qPrintable(arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.describe()));
        QVERIFY2(run.err.startsWith(QStringLiteral("hivectl: ")), qPrintable(run.err));
        QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
    }
    // Not even a failed run may pin an engine.
    QVERIFY(!QFile::exists(knownEnginesPath()));

    const Run help = hivectl({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains(QStringLiteral("Exit codes")));
}

void TestHivectl::untrustedEngineIsRefusedWithoutTty()
{
    const Run run = remote({QStringLiteral("status")}, m_adminSecret);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(m_fingerprint), qPrintable(run.err));
    QVERIFY2(run.err.contains(QStringLiteral("--trust-fingerprint")), qPrintable(run.err));
    QVERIFY2(!run.err.contains(m_adminSecret), "the token must never be printed");
    QVERIFY(run.out.isEmpty());
    QVERIFY(!QFile::exists(knownEnginesPath()));
}

void TestHivectl::wrongTrustFingerprintIsRefused()
{
    const QString wrong = otherFingerprint(m_fingerprint);
    const Run run = remote({QStringLiteral("--trust-fingerprint"), wrong, QStringLiteral("status")}, m_adminSecret);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(wrong) && run.err.contains(m_fingerprint), qPrintable(run.err));
    QVERIFY(!QFile::exists(knownEnginesPath()));
}

void TestHivectl::rightTrustFingerprintPins()
{
    // Typed the way people paste it: lower case, no colons, a prefix.
    const QString typed = QStringLiteral("sha256:") + QString(m_fingerprint).remove(QLatin1Char(':')).toLower();
    const Run first = remote({QStringLiteral("--trust-fingerprint"), typed, QStringLiteral("status")}, m_adminSecret);
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
    QVERIFY(first.out.contains(m_fingerprint));

    QFile file(knownEnginesPath());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QString pins = QString::fromUtf8(file.readAll());
    QVERIFY2(pins.contains(QStringLiteral("127.0.0.1:%1 %2").arg(m_port).arg(m_fingerprint)), qPrintable(pins));

    const Run next = remote({QStringLiteral("status")}, m_adminSecret);
    QVERIFY2(next.exitCode == 0, qPrintable(next.describe()));

    // cert fingerprint over wss needs no token and reports the pin.
    const Run presented = remote({QStringLiteral("cert"), QStringLiteral("fingerprint"), QStringLiteral("--json")}, {});
    QVERIFY2(presented.exitCode == 0, qPrintable(presented.describe()));
    QString error;
    const QJsonObject result = parseObject(presented.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(result.value(QStringLiteral("fingerprint")).toString(), m_fingerprint);
    QCOMPARE(result.value(QStringLiteral("verified")).toBool(true), false);
}

void TestHivectl::tokenCreateOverWss()
{
    const Run created = remote({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("carol"),
                                QStringLiteral("--role"), QStringLiteral("viewer"), QStringLiteral("--json")},
                               m_adminSecret);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    QString error;
    const QJsonObject result = parseObject(created.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_viewerSecret = result.value(QStringLiteral("secret")).toString();
    QVERIFY(!m_viewerSecret.isEmpty());
    QCOMPARE(result.value(QStringLiteral("token")).toObject().value(QStringLiteral("created_by")).toString(),
             QStringLiteral("adminbot"));

    // The same token given by file instead of HIVE_TOKEN.
    const QString tokenFile = m_dir.filePath(QStringLiteral("admin.token"));
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_adminSecret.toUtf8() + '\n');
    file.close();
    const Run list = hivectl({QStringLiteral("--url"), url(), QStringLiteral("--token-file"), tokenFile,
                              QStringLiteral("token"), QStringLiteral("list")});
    QVERIFY2(list.exitCode == 0, qPrintable(list.describe()));
    QVERIFY2(list.out.contains(QStringLiteral("carol")), qPrintable(list.out));
}

void TestHivectl::viewerForbiddenIsAudited()
{
    const Run refused = remote({QStringLiteral("token"), QStringLiteral("list")}, m_viewerSecret);
    QVERIFY2(refused.exitCode == 1, qPrintable(refused.describe()));
    QVERIFY2(refused.err.contains(QStringLiteral("admin")), qPrintable(refused.err));

    // "--token" after "audit" is the filter; the secret comes from HIVE_TOKEN.
    const Run audit =
        remote({QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("--token"), QStringLiteral("carol")},
               m_adminSecret);
    QVERIFY2(audit.exitCode == 0, qPrintable(audit.describe()));
    QString error;
    const QJsonObject result = parseObject(audit.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QJsonArray entries = result.value(QStringLiteral("entries")).toArray();
    QVERIFY2(!entries.isEmpty(), qPrintable(audit.out));
    bool found = false;
    for (const QJsonValue value : entries) {
        const QJsonObject entry = value.toObject();
        QCOMPARE(entry.value(QStringLiteral("token_name")).toString(), QStringLiteral("carol"));
        found = found || (entry.value(QStringLiteral("method")).toString() == QLatin1String("token_list") &&
                          entry.value(QStringLiteral("result")).toString() == QLatin1String("forbidden"));
    }
    QVERIFY2(found, qPrintable(audit.out));
}

void TestHivectl::eventsReplaySinceZero()
{
    const Run status = local({QStringLiteral("status"), QStringLiteral("--json")});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    QString error;
    const qint64 latest = parseObject(status.out, &error).value(QStringLiteral("latest_seq")).toInteger();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(latest >= 3);

    const Run events =
        hivectl({QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("events"), QStringLiteral("--since"),
                 QStringLiteral("0"), QStringLiteral("--count"), QString::number(latest), QStringLiteral("--json")},
                {}, 20000);
    QVERIFY2(events.exitCode == 0, qPrintable(events.describe()));
    const QStringList lines = events.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(qint64(lines.size()), latest);
    QStringList created;
    qint64 previous = 0;
    for (const QString &line : lines) {
        const QJsonObject event = parseObject(line, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const qint64 seq = event.value(QStringLiteral("seq")).toInteger();
        QVERIFY2(seq > previous, qPrintable(events.out));
        previous = seq;
        if (event.value(QStringLiteral("kind")).toString() == QLatin1String("token_created"))
            created << event.value(QStringLiteral("data")).toObject().value(QStringLiteral("name")).toString();
    }
    QCOMPARE(created, (QStringList{QStringLiteral("alice"), QStringLiteral("adminbot"), QStringLiteral("carol")}));

    // The human form: one line per event with seq and kind.
    const Run human =
        hivectl({QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("events"), QStringLiteral("--since"),
                 QStringLiteral("0"), QStringLiteral("--count"), QStringLiteral("1")},
                {}, 20000);
    QVERIFY2(human.exitCode == 0, qPrintable(human.describe()));
    QVERIFY2(human.out.contains(QStringLiteral("#1 ")), qPrintable(human.out));

    // A since_seq the engine cannot serve is reported, with exit 1.
    const Run resync = local({QStringLiteral("events"), QStringLiteral("--since"), QString::number(latest + 1000)});
    QVERIFY2(resync.exitCode == 1, qPrintable(resync.describe()));
    QVERIFY2(resync.err.contains(QStringLiteral("resync required")), qPrintable(resync.err));
}

void TestHivectl::eventsFollowOverWss()
{
    const Run status = local({QStringLiteral("status"), QStringLiteral("--json")});
    QString error;
    const qint64 latest = parseObject(status.out, &error).value(QStringLiteral("latest_seq")).toInteger();
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // Following from the current seq: the event below arrives either live or as replay, so the
    // test does not race the subscription.
    QProcess follower;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HIVE_TOKEN"), m_viewerSecret);
    follower.setProcessEnvironment(env);
    follower.start(hive::test::binaryPath(QStringLiteral("hivectl")),
                   {QStringLiteral("--url"), url(), QStringLiteral("--json"), QStringLiteral("events"),
                    QStringLiteral("--since"), QString::number(latest), QStringLiteral("--count"),
                    QStringLiteral("1")});
    follower.closeWriteChannel();
    QVERIFY(follower.waitForStarted(10000));

    const Run created = local({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("erin"),
                               QStringLiteral("--role"), QStringLiteral("viewer")});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));

    const bool finished = follower.waitForFinished(20000);
    const QString out = QString::fromUtf8(follower.readAllStandardOutput());
    const QString err = QString::fromUtf8(follower.readAllStandardError());
    if (!finished) {
        follower.kill();
        follower.waitForFinished(5000);
    }
    QVERIFY2(finished, qPrintable(QStringLiteral("events did not end:\n") + out + err));
    QVERIFY2(follower.exitCode() == 0, qPrintable(out + err));
    const QJsonObject event = parseObject(out.trimmed(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(event.value(QStringLiteral("seq")).toInteger(), latest + 1);
    QCOMPARE(event.value(QStringLiteral("kind")).toString(), QStringLiteral("token_created"));
    QCOMPARE(event.value(QStringLiteral("data")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("erin"));
}

void TestHivectl::revokedTokenCannotConnect()
{
    const Run created = local({QStringLiteral("--json"), QStringLiteral("token"), QStringLiteral("create"),
                               QStringLiteral("dave"), QStringLiteral("--role"), QStringLiteral("operator")});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    QString error;
    const QString secret = parseObject(created.out, &error).value(QStringLiteral("secret")).toString();
    QVERIFY2(error.isEmpty() && !secret.isEmpty(), qPrintable(created.out));

    const Run before = remote({QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1")}, secret);
    QVERIFY2(before.exitCode == 0, qPrintable(before.describe()));

    const Run revoked = local({QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("dave")});
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.describe()));

    const Run after = remote({QStringLiteral("status")}, secret);
    QVERIFY2(after.exitCode == 1, qPrintable(after.describe()));
    QVERIFY2(after.err.contains(QStringLiteral("authentication failed")), qPrintable(after.err));
    QVERIFY2(!after.err.contains(secret), "the token must never be printed");
}

void TestHivectl::secondEngineIsRefused()
{
    QProcess second;
    second.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    second.start(
        hive::test::binaryPath(QStringLiteral("hive-engine")),
        {QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(second.waitForStarted(10000));
    const bool finished = second.waitForFinished(30000);
    if (!finished) {
        second.kill();
        second.waitForFinished(5000);
    }
    QVERIFY2(finished, "a second engine on the same state dir kept running");
    const QString err = QString::fromUtf8(second.readAllStandardError());
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QVERIFY2(second.exitCode() != 0, qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("in use by another hive-engine")), qPrintable(err));

    // The first engine is untouched.
    const Run status = local({QStringLiteral("status")});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
}

void TestHivectl::jsonOutputsParse()
{
    const QList<QStringList> localCommands{
        {QStringLiteral("status")},
        {QStringLiteral("token"), QStringLiteral("list")},
        {QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("5")},
        {QStringLiteral("audit"), QStringLiteral("--verify")},
        {QStringLiteral("cert"), QStringLiteral("fingerprint")},
        {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("frank"), QStringLiteral("--role"),
         QStringLiteral("viewer")},
        {QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("frank")},
    };
    for (const QStringList &command : localCommands) {
        const Run run = local(QStringList{QStringLiteral("--json")} + command);
        QVERIFY2(run.exitCode == 0, qPrintable(command.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.describe()));
        QString error;
        const QJsonObject object = parseObject(run.out, &error);
        QVERIFY2(error.isEmpty(), qPrintable(command.join(QLatin1Char(' ')) + QStringLiteral(": ") + error));
        QVERIFY(!object.isEmpty());
    }
    const Run remoteStatus = remote({QStringLiteral("status"), QStringLiteral("--json")}, m_adminSecret);
    QVERIFY2(remoteStatus.exitCode == 0, qPrintable(remoteStatus.describe()));
    QString error;
    const QJsonObject info = parseObject(remoteStatus.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(info.value(QStringLiteral("tls_fingerprint")).toString(), m_fingerprint);

    const Run verify = local({QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("--verify")});
    const QJsonObject verified = parseObject(verify.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(verified.value(QStringLiteral("ok")).toBool(), true);
    QVERIFY(verified.value(QStringLiteral("checked")).toInteger() > 0);
}

void TestHivectl::agentsAndMessages()
{
    const Run added = local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("alice")});
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
    const QString socket = QDir(m_stateDir).absoluteFilePath(QStringLiteral("run/agents/alice/agent.sock"));
    QVERIFY2(added.out.contains(socket), qPrintable(added.out));
    QVERIFY(QFile::exists(socket));
    QVERIFY(QFileInfo(m_stateDir + QStringLiteral("/agents/alice/state")).isDir());
    const Run again = local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("alice")});
    QVERIFY2(again.exitCode == 1 && again.err.contains(QStringLiteral("exists already")), qPrintable(again.describe()));

    const Run sent = local({QStringLiteral("send"), QStringLiteral("alice"), QStringLiteral("please"),
                            QStringLiteral("rebase"), QStringLiteral("onto"), QStringLiteral("main")});
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.describe()));
    bool ok = false;
    const qint64 id = sent.out.trimmed().toLongLong(&ok);
    QVERIFY2(ok && id > 0, qPrintable(sent.out)); // the id alone, for scripts

    const Run list = local({QStringLiteral("agent"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(list.exitCode == 0, qPrintable(list.describe()));
    QString error;
    const QJsonArray agents = parseObject(list.out, &error).value(QStringLiteral("agents")).toArray();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QHash<QString, qint64> unread;
    for (const QJsonValue agent : agents) {
        unread.insert(agent.toObject().value(QStringLiteral("name")).toString(),
                      agent.toObject().value(QStringLiteral("unread")).toInteger());
    }
    // The manager holds the system notice of alice's arrival.
    QCOMPARE(unread, (QHash<QString, qint64>{{QStringLiteral("alice"), 1}, {QStringLiteral("manager"), 1}}));
    const Run table = local({QStringLiteral("agent"), QStringLiteral("list")});
    QVERIFY2(table.exitCode == 0 && table.out.startsWith(QStringLiteral("NAME")), qPrintable(table.describe()));

    // alice answers through her own socket, as a harness would.
    hive::client::RpcClient alice(new hive::client::LocalSocketPeer(socket));
    QVERIFY(alice.openAndWait(10000));
    auto answered = alice.callAndWait<hive::protocol::SendMethod>(
        hive::protocol::SendParams{QStringLiteral("operator"), QStringLiteral("rebased, tests green"), id}, 10000);
    QVERIFY2(answered, answered ? "" : qPrintable(answered.error().message));

    const Run inbox = local({QStringLiteral("inbox")});
    QVERIFY2(inbox.exitCode == 0, qPrintable(inbox.describe()));
    const QStringList lines = inbox.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("ID")) && lines.at(0).contains(QStringLiteral("BODY")),
             qPrintable(inbox.out));
    QVERIFY2(lines.at(1).startsWith(QString::number(answered->id)) && lines.at(1).contains(QStringLiteral("alice")) &&
                 lines.at(1).contains(QStringLiteral("rebased, tests green")),
             qPrintable(inbox.out));

    const Run traffic = local({QStringLiteral("--json"), QStringLiteral("inbox"), QStringLiteral("--agent"),
                               QStringLiteral("alice"), QStringLiteral("--limit"), QStringLiteral("1")});
    QVERIFY2(traffic.exitCode == 0, qPrintable(traffic.describe()));
    const QJsonObject page = parseObject(traffic.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(page.value(QStringLiteral("messages")).toArray().size(), 1);
    QCOMPARE(page.value(QStringLiteral("has_more")).toBool(), true);
    const Run older = local({QStringLiteral("inbox"), QStringLiteral("--agent"), QStringLiteral("alice"),
                             QStringLiteral("--before"), QString::number(answered->id)});
    QVERIFY2(older.exitCode == 0 && older.out.contains(QStringLiteral("please rebase onto main")),
             qPrintable(older.describe()));

    // Refused by the engine: exit 1 with its reason, and nothing printed as a result.
    const Run unknown = local({QStringLiteral("send"), QStringLiteral("carol"), QStringLiteral("hi")});
    QVERIFY2(unknown.exitCode == 1, qPrintable(unknown.describe()));
    QVERIFY2(unknown.err.contains(QStringLiteral("unknown recipient 'carol'")), qPrintable(unknown.err));
    QVERIFY(unknown.out.isEmpty());
    const Run viewer = remote({QStringLiteral("send"), QStringLiteral("alice"), QStringLiteral("hi")}, m_viewerSecret);
    QVERIFY2(viewer.exitCode == 1 && viewer.err.contains(QStringLiteral("operator")), qPrintable(viewer.describe()));
}

void TestHivectl::changedCertificateIsRefused()
{
    const QString oldFingerprint = m_fingerprint;
    QFile pins(knownEnginesPath());
    QVERIFY(pins.open(QIODevice::ReadOnly));
    const QByteArray pinsBefore = pins.readAll();
    pins.close();

    stopEngine();
    if (QTest::currentTestFailed())
        return;
    QVERIFY(QDir(m_stateDir + QStringLiteral("/tls")).removeRecursively());
    // Same port, so that the engine is the one pinned for 127.0.0.1:PORT.
    startEngine(m_port);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(m_fingerprint != oldFingerprint, "the engine did not make a new certificate");

    const Run run = remote({QStringLiteral("status")}, m_adminSecret);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    for (const QString &expected : {QStringLiteral("WARNING"), oldFingerprint, m_fingerprint, knownEnginesPath()})
        QVERIFY2(run.err.contains(expected), qPrintable(expected + QStringLiteral(" missing:\n") + run.err));
    QVERIFY(run.out.isEmpty());

    // Not even an explicit --trust-fingerprint overrides a pin: the line must be removed by hand.
    const Run forced =
        remote({QStringLiteral("--trust-fingerprint"), m_fingerprint, QStringLiteral("status")}, m_adminSecret);
    QVERIFY2(forced.exitCode == 2, qPrintable(forced.describe()));

    QVERIFY(pins.open(QIODevice::ReadOnly));
    QCOMPARE(pins.readAll(), pinsBefore);
}

void TestHivectl::brokenAuditChainExitsOne()
{
    const QString sqlite = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
    if (sqlite.isEmpty())
        QSKIP("the sqlite3 program is needed to tamper with the audit log");

    stopEngine();
    if (QTest::currentTestFailed())
        return;
    // What an attacker with file access could do: edit an old row behind the engine's back.
    QProcess tamper;
    tamper.start(sqlite, {m_stateDir + QStringLiteral("/engine.db"),
                          QStringLiteral("DROP TRIGGER audit_log_no_update; "
                                         "UPDATE audit_log SET method = 'tampered' WHERE id = 2;")});
    QVERIFY(tamper.waitForFinished(30000));
    QVERIFY2(tamper.exitCode() == 0, tamper.readAllStandardError().constData());
    startEngine(m_port);
    if (QTest::currentTestFailed())
        return;

    const Run verify = local({QStringLiteral("audit"), QStringLiteral("--verify")});
    QVERIFY2(verify.exitCode == 1, qPrintable(verify.describe()));
    QVERIFY2(verify.err.contains(QStringLiteral("row 2")), qPrintable(verify.err));

    const Run json = local({QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("--verify")});
    QVERIFY2(json.exitCode == 1, qPrintable(json.describe()));
    QString error;
    const QJsonObject result = parseObject(json.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(result.value(QStringLiteral("ok")).toBool(true), false);
    QCOMPARE(result.value(QStringLiteral("first_bad_id")).toInteger(), qint64(2));
}

QTEST_GUILESS_MAIN(TestHivectl)
#include "tst_hivectl.moc"
