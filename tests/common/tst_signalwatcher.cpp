// SPDX-License-Identifier: MIT
#include "signalwatcher.h"

#include <QSignalSpy>
#include <QTest>

#include <signal.h>

#include <atomic>

using hive::SignalWatcher;

namespace {
std::atomic<int> previousHandlerCalls{0};

extern "C" void previousHandler(int)
{
    previousHandlerCalls.fetch_add(1);
}
} // namespace

class TestSignalWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signalBecomesQtSignal_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::addColumn<bool>("terminate");
        QTest::newRow("SIGTERM") << SIGTERM << true;
        QTest::newRow("SIGINT") << SIGINT << true;
        QTest::newRow("SIGHUP") << SIGHUP << false;
    }
    void signalBecomesQtSignal()
    {
        QFETCH(int, signalNumber);
        QFETCH(bool, terminate);
        SignalWatcher watcher;
        QVERIFY(watcher.isInstalled());
        QSignalSpy terminateSpy(&watcher, &SignalWatcher::terminateRequested);
        QSignalSpy reloadSpy(&watcher, &SignalWatcher::reloadRequested);

        QCOMPARE(::raise(signalNumber), 0);
        QVERIFY(terminate ? terminateSpy.wait(5000) : reloadSpy.wait(5000));
        QTest::qWait(20); // a second emission would be a bug: give it the chance to show
        if (terminate) {
            QCOMPARE(terminateSpy.size(), 1);
            QCOMPARE(terminateSpy.at(0).at(0).toInt(), signalNumber);
            QCOMPARE(reloadSpy.size(), 0);
        } else {
            QCOMPARE(reloadSpy.size(), 1);
            QCOMPARE(terminateSpy.size(), 0);
        }
    }

    void windowSizeChangeBecomesQtSignal()
    {
        SignalWatcher watcher;
        QSignalSpy resized(&watcher, &SignalWatcher::windowResized);
        QSignalSpy terminateSpy(&watcher, &SignalWatcher::terminateRequested);
        QCOMPARE(::raise(SIGWINCH), 0);
        QVERIFY(resized.wait(5000));
        QCOMPARE(terminateSpy.size(), 0);
    }

    void signalsArriveInOrder()
    {
        SignalWatcher watcher;
        QStringList received;
        connect(&watcher, &SignalWatcher::reloadRequested, this,
                [&received] { received.append(QStringLiteral("HUP")); });
        connect(&watcher, &SignalWatcher::terminateRequested, this,
                [&received](int signalNumber) { received.append(QString::number(signalNumber)); });
        QCOMPARE(::raise(SIGHUP), 0);
        QCOMPARE(::raise(SIGTERM), 0);
        QCOMPARE(::raise(SIGHUP), 0);
        QCOMPARE(::raise(SIGINT), 0);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 4, 5000);
        QCOMPARE(received, (QStringList{QStringLiteral("HUP"), QString::number(SIGTERM), QStringLiteral("HUP"),
                                        QString::number(SIGINT)}));
    }

    void onlyOneWatcherAtATime()
    {
        SignalWatcher first;
        QVERIFY(first.isInstalled());
        QTest::ignoreMessage(QtWarningMsg, "another SignalWatcher is installed; this one stays inactive");
        SignalWatcher second;
        QVERIFY(!second.isInstalled());
    }

    void destructorRestoresPreviousHandlers()
    {
        struct sigaction action = {};
        action.sa_handler = previousHandler;
        sigemptyset(&action.sa_mask);
        struct sigaction original[2] = {};
        QCOMPARE(::sigaction(SIGHUP, &action, &original[0]), 0);
        QCOMPARE(::sigaction(SIGTERM, &action, &original[1]), 0);
        previousHandlerCalls = 0;
        {
            SignalWatcher watcher;
            QSignalSpy reloadSpy(&watcher, &SignalWatcher::reloadRequested);
            QCOMPARE(::raise(SIGHUP), 0);
            QVERIFY(reloadSpy.wait(5000));
            QCOMPARE(previousHandlerCalls.load(), 0);
        }
        QCOMPARE(::raise(SIGHUP), 0);
        QCOMPARE(::raise(SIGTERM), 0);
        QCOMPARE(previousHandlerCalls.load(), 2);
        ::sigaction(SIGHUP, &original[0], nullptr);
        ::sigaction(SIGTERM, &original[1], nullptr);

        // And a new watcher can be installed once the old one is gone.
        SignalWatcher again;
        QVERIFY(again.isInstalled());
    }

    void hangupCanKeepItsDefault()
    {
        // hivectl: a closed terminal should end the command, not be swallowed as a "reload".
        struct sigaction before = {};
        QCOMPARE(::sigaction(SIGHUP, nullptr, &before), 0);
        {
            SignalWatcher watcher(SignalWatcher::Hangup::Default);
            QVERIFY(watcher.isInstalled());
            struct sigaction during = {};
            QCOMPARE(::sigaction(SIGHUP, nullptr, &during), 0);
            QCOMPARE(reinterpret_cast<void *>(during.sa_handler), reinterpret_cast<void *>(before.sa_handler));
            struct sigaction term = {};
            QCOMPARE(::sigaction(SIGTERM, nullptr, &term), 0);
            QVERIFY(term.sa_handler != before.sa_handler); // SIGTERM is still watched
        }
    }
};

QTEST_GUILESS_MAIN(TestSignalWatcher)
#include "tst_signalwatcher.moc"
