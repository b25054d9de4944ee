// SPDX-License-Identifier: MIT
// hive-engine as the service it is: a real process with its command line, exit codes,
// systemd notifications, signals, files on disk, and what survives a SIGKILL mid-write.
#include "engineprocess.h"
#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <poll.h>

using namespace hive;
using namespace hive::protocol;
using hive::test::EngineProcess;

namespace {

constexpr int Timeout = 15000;

QString run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    process.waitForFinished(Timeout);
    return QString::fromUtf8(process.readAll()).trimmed();
}

QFileDevice::Permissions groupOrOther(const QString &path)
{
    return QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                                            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
}

/// A unix datagram socket standing in for systemd's notify socket.
class NotifySocket
{
public:
    explicit NotifySocket(const QString &path) : m_path(path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray native = QFile::encodeName(path);
        std::memcpy(address.sun_path, native.constData(), static_cast<size_t>(native.size()));
        m_bound = ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0;
    }
    ~NotifySocket() { ::close(m_fd); }
    [[nodiscard]] bool isBound() const { return m_bound; }

    /// Collects datagrams until one contains `needle` or the time is up.
    bool waitFor(const QByteArray &needle, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            pollfd fd{m_fd, POLLIN, 0};
            if (::poll(&fd, 1, 100) > 0) {
                char buffer[4096];
                const ssize_t n = ::recv(m_fd, buffer, sizeof(buffer), 0);
                if (n > 0)
                    m_received += QByteArray(buffer, static_cast<qsizetype>(n)) + '\n';
            }
            if (m_received.contains(needle))
                return true;
        }
        return false;
    }
    [[nodiscard]] const QByteArray &received() const { return m_received; }

private:
    QString m_path;
    int m_fd = -1;
    bool m_bound = false;
    QByteArray m_received;
};

} // namespace

class TestEngineProcess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void badCommandLineAndConfigExitTwo_data();
    void badCommandLineAndConfigExitTwo();
    void checkConfigAcceptsValidFile();
    void printFingerprintMatchesOpenssl();
    void notifiesSystemdAndStopsCleanly_data();
    void notifiesSystemdAndStopsCleanly();
    void killMidWriteLosesNothingAcknowledged();
    void refusesNewerDatabaseUntouched();

private:
    QString writeFile(const QString &name, const QByteArray &content);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_state;
};

void TestEngineProcess::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_state = m_dir->filePath(QStringLiteral("state"));
}

QString TestEngineProcess::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(content);
    return path;
}

void TestEngineProcess::badCommandLineAndConfigExitTwo_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown key") << QByteArray("listen = \"127.0.0.1:0\"\n[api]\nmax_frame = 5\n") << QStringList()
                                 << QStringLiteral("engine.conf:3:1: unknown key 'max_frame'");
    QTest::newRow("wrong type") << QByteArray("[api]\nmax_frame_bytes = \"big\"\n") << QStringList()
                                << QStringLiteral("engine.conf:2:");
    QTest::newRow("toml syntax") << QByteArray("listen = \n") << QStringList() << QStringLiteral("engine.conf:1:");
    QTest::newRow("bad --listen") << QByteArray() << QStringList{QStringLiteral("--listen"), QStringLiteral("nowhere")}
                                  << QStringLiteral("--listen");
    QTest::newRow("unknown option") << QByteArray() << QStringList{QStringLiteral("--frobnicate")}
                                    << QStringLiteral("frobnicate");
    QTest::newRow("stray argument") << QByteArray() << QStringList{QStringLiteral("start")}
                                    << QStringLiteral("unexpected argument 'start'");
}

void TestEngineProcess::badCommandLineAndConfigExitTwo()
{
    QFETCH(QByteArray, config);
    QFETCH(QStringList, extra);
    QFETCH(QString, mentions);
    QStringList arguments{QStringLiteral("--state-dir"), m_state};
    if (!config.isEmpty())
        arguments << QStringLiteral("--config") << writeFile(QStringLiteral("engine.conf"), config);
    const auto run = EngineProcess::runToEnd(arguments + extra);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
    QVERIFY2(!QFileInfo::exists(m_state), "nothing is created when the configuration is bad");
}

void TestEngineProcess::checkConfigAcceptsValidFile()
{
    const QString config =
        writeFile(QStringLiteral("ok.conf"),
                  "listen = \"127.0.0.1:0\"\n[log]\nlevel = \"debug\"\n[containers]\nbackend = \"none\"\n");
    const auto ok = EngineProcess::runToEnd({QStringLiteral("--config"), config, QStringLiteral("--check-config")});
    QCOMPARE(ok.exitCode, 0);
    QVERIFY2(ok.out.contains(QStringLiteral("configuration OK")), qPrintable(ok.out));
    const auto missing = EngineProcess::runToEnd(
        {QStringLiteral("--config"), m_dir->filePath(QStringLiteral("absent.conf")), QStringLiteral("--check-config")});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains(QStringLiteral("absent.conf")), qPrintable(missing.err));
}

void TestEngineProcess::printFingerprintMatchesOpenssl()
{
    const QStringList printFingerprint{QStringLiteral("--state-dir"), m_state, QStringLiteral("--print-fingerprint")};
    const auto first = EngineProcess::runToEnd(printFingerprint);
    QCOMPARE(first.exitCode, 0);
    const QString certificate = paths::tlsCertificate(m_state);
    const QString openssl = run(QStringLiteral("openssl"),
                                {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                                 QStringLiteral("-sha256"), QStringLiteral("-in"), certificate});
    QCOMPARE(QStringLiteral("sha256 Fingerprint=") + first.out, openssl);
    QCOMPARE(groupOrOther(m_state), QFileDevice::Permissions());
    QCOMPARE(groupOrOther(m_state + QStringLiteral("/tls")), QFileDevice::Permissions());
    QCOMPARE(groupOrOther(m_state + QStringLiteral("/tls/engine.key")), QFileDevice::Permissions());
    const auto second = EngineProcess::runToEnd(printFingerprint);
    QCOMPARE(second.exitCode, 0);
    QCOMPARE(second.out, first.out); // created once, then reused
}

void TestEngineProcess::notifiesSystemdAndStopsCleanly_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void TestEngineProcess::notifiesSystemdAndStopsCleanly()
{
    QFETCH(int, signal);
    NotifySocket notify(m_dir->filePath(QStringLiteral("notify.sock")));
    QVERIFY(notify.isBound());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("NOTIFY_SOCKET"), m_dir->filePath(QStringLiteral("notify.sock")));
    EngineProcess engine(m_state, m_dir->filePath(QStringLiteral("engine.log")));
    auto info = engine.start({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}, environment);
    QVERIFY2(info, info ? "" : qPrintable(info.error().message));
    QVERIFY2(notify.waitFor("READY=1", Timeout), notify.received().constData());
    QVERIFY(notify.received().contains("STATUS=serving wss://127.0.0.1:"));

    const QString socket = paths::adminSocket(m_state);
    QCOMPARE(groupOrOther(socket), QFileDevice::Permissions());
    QFile lock(m_state + QStringLiteral("/engine.lock"));
    QVERIFY(lock.open(QIODevice::ReadOnly));
    QCOMPARE(lock.readAll().trimmed().toLongLong(), engine.process().processId());

    QCOMPARE(engine.stop(signal), 0);
    QVERIFY2(notify.waitFor("STOPPING=1", Timeout), notify.received().constData());
    QVERIFY2(!QFileInfo::exists(socket), "the admin socket is removed on a clean stop");
    QVERIFY2(engine.log().contains(QStringLiteral("stopping")), qPrintable(engine.log()));
}

void TestEngineProcess::killMidWriteLosesNothingAcknowledged()
{
    // Pipeline many state-changing calls, SIGKILL the engine while they are being answered,
    // then restart: every call that was answered is there, and the database and the audit
    // chain are intact.
    EngineProcess engine(m_state, m_dir->filePath(QStringLiteral("engine.log")));
    QVERIFY(engine.start({QStringLiteral("--listen"), QStringLiteral("off")}));
    client::RpcClient client(new client::LocalSocketPeer(paths::adminSocket(m_state)));
    QVERIFY(client.openAndWait(Timeout));
    QStringList acknowledged;
    constexpr int Calls = 400;
    for (int i = 0; i < Calls; ++i) {
        const QString name = QStringLiteral("t%1").arg(i);
        client.call<TokenCreateMethod>(TokenCreateParams{name, QStringLiteral("viewer")},
                                       [&acknowledged, name](const Result<TokenCreateResult> &result) {
                                           if (result)
                                               acknowledged << name;
                                       });
    }
    QVERIFY(QTest::qWaitFor([&] { return acknowledged.size() >= 20; }, Timeout));
    ::kill(static_cast<pid_t>(engine.process().processId()), SIGKILL);
    QVERIFY(engine.process().waitForFinished(Timeout));
    const QStringList answered = acknowledged;
    QVERIFY2(answered.size() < Calls, "the kill came too late to interrupt anything");

    EngineProcess restarted(m_state, m_dir->filePath(QStringLiteral("engine2.log")));
    auto info = restarted.start({QStringLiteral("--listen"), QStringLiteral("off")});
    QVERIFY2(info, info ? "" : qPrintable(info.error().message));
    client::RpcClient after(new client::LocalSocketPeer(paths::adminSocket(m_state)));
    QVERIFY(after.openAndWait(Timeout));
    auto tokens = after.callAndWait<TokenListMethod>(TokenListParams{}, Timeout);
    QVERIFY(tokens);
    QStringList stored;
    for (const TokenInfo &token : std::as_const(tokens->tokens))
        stored << token.name;
    for (const QString &name : answered)
        QVERIFY2(stored.contains(name), qPrintable(name + QStringLiteral(" was acknowledged but is gone")));
    auto verified = after.callAndWait<AuditVerifyMethod>(AuditVerifyParams{}, Timeout);
    QVERIFY(verified);
    QVERIFY2(verified->ok, qPrintable(verified->problem));
    QVERIFY(verified->checked >= answered.size());
    QCOMPARE(restarted.stop(SIGTERM), 0);
    QCOMPARE(
        run(QStringLiteral("sqlite3"), {m_state + QStringLiteral("/engine.db"), QStringLiteral("PRAGMA "
                                                                                               "integrity_check")}),
        QStringLiteral("ok"));
    qInfo("%lld of %d calls acknowledged before SIGKILL; all present after restart", qint64(answered.size()), Calls);
}

void TestEngineProcess::refusesNewerDatabaseUntouched()
{
    EngineProcess engine(m_state, m_dir->filePath(QStringLiteral("engine.log")));
    QVERIFY(engine.start({QStringLiteral("--listen"), QStringLiteral("off")}));
    QCOMPARE(engine.stop(SIGTERM), 0);
    const QString db = m_state + QStringLiteral("/engine.db");
    QCOMPARE(run(QStringLiteral("sqlite3"),
                 {db, QStringLiteral("INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 0)")}),
             QString());
    QFile file(db);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();

    const auto refused = EngineProcess::runToEnd(
        {QStringLiteral("--state-dir"), m_state, QStringLiteral("--listen"), QStringLiteral("off")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("newer than this engine supports")), qPrintable(refused.err));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
}

QTEST_GUILESS_MAIN(TestEngineProcess)
#include "tst_engineprocess.moc"
