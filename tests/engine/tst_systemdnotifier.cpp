// SPDX-License-Identifier: MIT
#include "systemdnotifier.h"

#include <QDeadlineTimer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

using hive::engine::SystemdNotifier;

// Plays systemd's side of the notify protocol: a unix datagram socket named by $NOTIFY_SOCKET.
class TestSystemdNotifier : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_socket = -1;

    // Datagrams received until one contains `wanted` or `timeoutMs` passes; the event loop runs meanwhile so
    // that the notifier's timer can fire.
    QList<QByteArray> receiveUntil(const QByteArray &wanted, int timeoutMs)
    {
        QList<QByteArray> received;
        const QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            char buffer[4096];
            const ssize_t size = ::recv(m_socket, buffer, sizeof buffer, MSG_DONTWAIT);
            if (size > 0) {
                received.append(QByteArray(buffer, static_cast<qsizetype>(size)));
                if (!wanted.isEmpty() && received.last().split('\n').contains(wanted))
                    return received;
                continue;
            }
            QTest::qWait(5);
        }
        return received;
    }

    static bool containsLine(const QList<QByteArray> &datagrams, const QByteArray &line)
    {
        for (const QByteArray &datagram : datagrams) {
            if (datagram.split('\n').contains(line))
                return true;
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!SystemdNotifier::supported())
            QSKIP("built without libsystemd");
        QVERIFY(m_dir.isValid());
        m_socket = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        QVERIFY2(m_socket >= 0, std::strerror(errno));
        const QByteArray path = m_dir.filePath(QStringLiteral("notify")).toLocal8Bit();
        sockaddr_un address = {};
        address.sun_family = AF_UNIX;
        QVERIFY(static_cast<std::size_t>(path.size()) < sizeof address.sun_path);
        std::memcpy(address.sun_path, path.constData(), static_cast<std::size_t>(path.size()));
        QVERIFY2(::bind(m_socket, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0,
                 std::strerror(errno));
        qputenv("NOTIFY_SOCKET", path);
    }

    void init()
    {
        qunsetenv("WATCHDOG_USEC");
        qunsetenv("WATCHDOG_PID");
        // Drop what an earlier test left.
        char buffer[4096];
        while (::recv(m_socket, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
        }
    }

    void cleanupTestCase()
    {
        if (m_socket >= 0)
            ::close(m_socket);
        qunsetenv("NOTIFY_SOCKET");
    }

    void inactiveWithoutSocket()
    {
        const QByteArray saved = qgetenv("NOTIFY_SOCKET");
        qunsetenv("NOTIFY_SOCKET");
        SystemdNotifier notifier;
        QVERIFY(!notifier.isActive());
        notifier.ready(QStringLiteral("nobody listens"));
        notifier.startWatchdog(1);
        QCOMPARE(notifier.watchdogIntervalMs(), 0);
        qputenv("NOTIFY_SOCKET", saved);
        QVERIFY(receiveUntil({}, 50).isEmpty());
    }

    void readyAndStatus()
    {
        SystemdNotifier notifier;
        QVERIFY(notifier.isActive());
        notifier.ready(QStringLiteral("listening on 127.0.0.1:7443"));
        const QList<QByteArray> ready = receiveUntil(QByteArrayLiteral("READY=1"), 1000);
        QVERIFY2(containsLine(ready, QByteArrayLiteral("READY=1")), ready.join(" | ").constData());
        QVERIFY(containsLine(ready, QByteArrayLiteral("STATUS=listening on 127.0.0.1:7443")));

        // A newline would start a new assignment in the protocol, so it must not reach the socket.
        notifier.status(QStringLiteral("2 agents\nREADY=0"));
        const QList<QByteArray> status = receiveUntil(QByteArrayLiteral("STATUS=2 agents READY=0"), 1000);
        QVERIFY2(containsLine(status, QByteArrayLiteral("STATUS=2 agents READY=0")), status.join(" | ").constData());
    }

    void stopping()
    {
        SystemdNotifier notifier;
        notifier.stopping();
        const QList<QByteArray> received = receiveUntil(QByteArrayLiteral("STOPPING=1"), 1000);
        QVERIFY2(containsLine(received, QByteArrayLiteral("STOPPING=1")), received.join(" | ").constData());
    }

    void watchdog_data()
    {
        QTest::addColumn<QByteArray>("watchdogUsec");
        QTest::addColumn<bool>("ownPid");
        QTest::addColumn<int>("configuredSeconds");
        QTest::addColumn<int>("intervalMs");

        QTest::newRow("systemd's WATCHDOG_USEC") << QByteArrayLiteral("200000") << true << 0 << 100;
        QTest::newRow("WATCHDOG_PID unset") << QByteArrayLiteral("200000") << false << 0 << 100;
        QTest::newRow("configured") << QByteArray() << false << 1 << 500;
        QTest::newRow("configured wins") << QByteArrayLiteral("200000") << true << 1 << 500;
        QTest::newRow("off") << QByteArray() << false << 0 << 0;
    }
    void watchdog()
    {
        QFETCH(QByteArray, watchdogUsec);
        QFETCH(bool, ownPid);
        QFETCH(int, configuredSeconds);
        QFETCH(int, intervalMs);
        if (!watchdogUsec.isNull())
            qputenv("WATCHDOG_USEC", watchdogUsec);
        if (ownPid)
            qputenv("WATCHDOG_PID", QByteArray::number(::getpid()));

        SystemdNotifier notifier;
        notifier.startWatchdog(configuredSeconds);
        QCOMPARE(notifier.watchdogIntervalMs(), intervalMs);
        if (intervalMs == 0) {
            QVERIFY(!containsLine(receiveUntil({}, 300), QByteArrayLiteral("WATCHDOG=1")));
            return;
        }
        if (configuredSeconds > 0) {
            const QList<QByteArray> told = receiveUntil(QByteArrayLiteral("WATCHDOG_USEC=1000000"), 1000);
            QVERIFY2(containsLine(told, QByteArrayLiteral("WATCHDOG_USEC=1000000")), told.join(" | ").constData());
        }
        // The first ping goes out at once; the timer's pings follow at the interval.
        QVERIFY(containsLine(receiveUntil(QByteArrayLiteral("WATCHDOG=1"), 1000), QByteArrayLiteral("WATCHDOG=1")));
        QVERIFY(containsLine(receiveUntil(QByteArrayLiteral("WATCHDOG=1"), 1000), QByteArrayLiteral("WATCHDOG=1")));

        notifier.stopping();
        QCOMPARE(notifier.watchdogIntervalMs(), 0);
    }

    void watchdogForAnotherProcess()
    {
        // systemd sets WATCHDOG_PID to the main process; a child that inherited the variables must not ping.
        qputenv("WATCHDOG_USEC", "200000");
        qputenv("WATCHDOG_PID", QByteArray::number(::getpid() + 1));
        SystemdNotifier notifier;
        notifier.startWatchdog(0);
        QCOMPARE(notifier.watchdogIntervalMs(), 0);
        QVERIFY(!containsLine(receiveUntil({}, 300), QByteArrayLiteral("WATCHDOG=1")));
    }
};

QTEST_GUILESS_MAIN(TestSystemdNotifier)
#include "tst_systemdnotifier.moc"
