// SPDX-License-Identifier: MIT
// The broker's durability promise against a real hive-engine process: several client processes
// flood sends while another one consumes and acknowledges some of what it gets, the engine is
// SIGKILLed in the middle, and after a restart every acknowledged send is there exactly once,
// every lease is still a lease (it comes back flagged redelivered) and every ack is still an ack.
#include "engineprocess.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"
#include "testsupport.h"

#include <QHash>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sys/prctl.h>

#include <csignal>
#include <memory>
#include <vector>

using namespace hive;
using namespace hive::protocol;
using hive::test::EngineProcess;

namespace {

constexpr int Timeout = 15000;
constexpr int Flooders = 4;
constexpr int SendsPerFlooder = 100000; // far more than the engine answers before the kill
constexpr int Window = 32;              // unanswered sends per flooder at most
constexpr int RecvMax = 8;              // the receiver's recv max (hive-test-flooder)
constexpr int SentBeforeKill = 1500;
constexpr int AckedBeforeKill = 40;
constexpr int UnackedBeforeKill = 40;
constexpr int ExitConnectionLost = 3; // hive-test-flooder's exit code when the engine goes away

const QString Sink = QStringLiteral("sink");

QString flooderName(int i)
{
    return QStringLiteral("f%1").arg(i);
}

QString run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    process.waitForFinished(Timeout);
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

/// A hive-test-flooder process; its stdout lines are collected as they come.
class Helper
{
public:
    explicit Helper(const QStringList &arguments)
    {
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process.start(test::binaryPath(QStringLiteral("hive-test-flooder")), arguments);
    }
    ~Helper()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(Timeout);
        }
    }
    Helper(const Helper &) = delete;
    Helper &operator=(const Helper &) = delete;

    QProcess &process() { return m_process; }

    /// The complete lines written so far.
    QList<QByteArray> lines()
    {
        m_output += m_process.readAllStandardOutput();
        QList<QByteArray> all = m_output.split('\n');
        all.removeLast(); // an incomplete line, or the empty rest after the last newline
        return all;
    }

private:
    QProcess m_process;
    QByteArray m_output;
};

/// What one flooder was told: body -> message id of each acknowledged send.
struct FlooderLog {
    QHash<QByteArray, qint64> sent;
    int refused = 0;
    bool done = false;

    static FlooderLog parse(const QList<QByteArray> &lines)
    {
        FlooderLog log;
        for (const QByteArray &line : lines) {
            const QList<QByteArray> words = line.split(' ');
            if (words.first() == "sent" && words.size() == 3)
                log.sent.insert(words.at(1), words.at(2).toLongLong());
            else if (words.first() == "refused")
                ++log.refused;
            else if (words.first() == "done")
                log.done = true;
        }
        return log;
    }
};

/// What the receiver was told: the messages leased to it and the ids whose ack was answered.
struct ReceiverLog {
    QHash<qint64, QByteArray> delivered; ///< id -> body
    QSet<qint64> redeliveredBefore;      ///< delivered with redelivered already set (must not happen here)
    QSet<qint64> acked;
    QSet<qint64> ackInFlight; ///< the ack call that was unanswered at the kill, if any
    int ackMismatches = 0;    ///< ack replies whose count differs from the ids given

    static ReceiverLog parse(const QList<QByteArray> &lines)
    {
        ReceiverLog log;
        for (const QByteArray &line : lines) {
            const QList<QByteArray> words = line.split(' ');
            if (words.first() == "delivered" && words.size() >= 4) {
                const qint64 id = words.at(1).toLongLong();
                log.delivered.insert(id, line.mid(words.at(0).size() + words.at(1).size() + words.at(2).size() + 3));
                if (words.at(2) == "true")
                    log.redeliveredBefore.insert(id);
            } else if (words.first() == "acking") {
                log.ackInFlight.clear();
                for (qsizetype i = 1; i < words.size(); ++i)
                    log.ackInFlight.insert(words.at(i).toLongLong());
            } else if (words.first() == "acked" && words.size() >= 2) {
                if (words.at(1).toLongLong() != words.size() - 2)
                    ++log.ackMismatches;
                for (qsizetype i = 2; i < words.size(); ++i)
                    log.acked.insert(words.at(i).toLongLong());
                log.ackInFlight.clear();
            }
        }
        return log;
    }

    [[nodiscard]] qsizetype unacked() const { return delivered.size() - acked.size() - ackInFlight.size(); }
};

/// A row of the messages table, as the sqlite3 CLI prints it.
struct StoredRow {
    QString sender;
    QString recipient;
    QByteArray body;
    QString state;

    [[nodiscard]] QString describe(qint64 id) const
    {
        return QStringLiteral("message %1 from %2 to %3 (%4): %5")
            .arg(QString::number(id), sender, recipient, state, QString::fromUtf8(body));
    }
};

} // namespace

class TestBrokerDurability : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killDuringFloodLosesNothingAcknowledged();
};

void TestBrokerDurability::killDuringFloodLosesNothingAcknowledged()
{
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    const QStringList listenOff{QStringLiteral("--listen"), QStringLiteral("off")};
    EngineProcess engine(state, dir.filePath(QStringLiteral("engine.log")));
    auto started = engine.start(listenOff);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    QHash<QString, QString> socketOf;
    {
        client::RpcClient admin(new client::LocalSocketPeer(paths::adminSocket(state)));
        QVERIFY(admin.openAndWait(Timeout));
        QStringList agents{Sink};
        for (int i = 1; i <= Flooders; ++i)
            agents << flooderName(i);
        for (const QString &name : std::as_const(agents)) {
            auto added = admin.callAndWait<AgentAddMethod>(AgentAddParams{name}, Timeout);
            QVERIFY2(added, added ? "" : qPrintable(added.error().message));
            socketOf.insert(name, added->socketPath);
        }
    }

    // One consumer and several producers, each a process of its own with its own connection.
    Helper receiver({QStringLiteral("recv"), socketOf.value(Sink)});
    std::vector<std::unique_ptr<Helper>> flooders;
    for (int i = 1; i <= Flooders; ++i) {
        flooders.push_back(std::make_unique<Helper>(QStringList{QStringLiteral("send"), socketOf.value(flooderName(i)),
                                                                Sink, flooderName(i), QString::number(SendsPerFlooder),
                                                                QString::number(Window)}));
    }
    auto sentSoFar = [&flooders] {
        qsizetype sent = 0;
        for (const auto &flooder : flooders)
            sent += FlooderLog::parse(flooder->lines()).sent.size();
        return sent;
    };
    const bool busyEnough = QTest::qWaitFor(
        [&] {
            const ReceiverLog received = ReceiverLog::parse(receiver.lines());
            return sentSoFar() >= SentBeforeKill && received.acked.size() >= AckedBeforeKill &&
                   received.unacked() >= UnackedBeforeKill;
        },
        Timeout);
    QVERIFY2(busyEnough, qPrintable(QStringLiteral("%1 sends acknowledged, receiver: %2 lines\n%3")
                                        .arg(sentSoFar())
                                        .arg(receiver.lines().size())
                                        .arg(engine.log().right(2000))));

    ::kill(static_cast<pid_t>(engine.process().processId()), SIGKILL);
    QVERIFY(engine.process().waitForFinished(Timeout));

    // Each client sees its connection end; what it printed is what the engine acknowledged.
    QHash<qint64, QByteArray> sentById;
    QHash<QByteArray, QString> senderOf;
    for (int i = 0; i < Flooders; ++i) {
        Helper &flooder = *flooders.at(i);
        QVERIFY(flooder.process().waitForFinished(Timeout));
        QCOMPARE(flooder.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(flooder.process().exitCode(), ExitConnectionLost);
        const FlooderLog log = FlooderLog::parse(flooder.lines());
        QVERIFY2(!log.done, "the kill came too late to interrupt the flood");
        QCOMPARE(log.refused, 0);
        QVERIFY2(!log.sent.isEmpty(), qPrintable(flooderName(i + 1) + QStringLiteral(" got no send through")));
        for (auto it = log.sent.cbegin(); it != log.sent.cend(); ++it) {
            QVERIFY2(!sentById.contains(it.value()), "two acknowledged sends got the same message id");
            sentById.insert(it.value(), it.key());
            senderOf.insert(it.key(), flooderName(i + 1));
        }
    }
    QVERIFY(receiver.process().waitForFinished(Timeout));
    QCOMPARE(receiver.process().exitCode(), ExitConnectionLost);
    const ReceiverLog received = ReceiverLog::parse(receiver.lines());
    QCOMPARE(received.ackMismatches, 0);
    QVERIFY(received.redeliveredBefore.isEmpty());

    // Restart on the same state dir. The sink first takes its leases back, as a harness does at
    // start, then drains its queue.
    EngineProcess restarted(state, dir.filePath(QStringLiteral("engine2.log")));
    started = restarted.start(listenOff);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    client::RpcClient sink(new client::LocalSocketPeer(socketOf.value(Sink)));
    QVERIFY(sink.openAndWait(Timeout));
    const auto before = sink.callAndWait<StatusMethod>(StatusParams{}, Timeout);
    QVERIFY(before);
    const auto requeued = sink.callAndWait<RequeueInflightMethod>(RequeueInflightParams{}, Timeout);
    QVERIFY(requeued);
    QCOMPARE(requeued->requeued, before->inflight);
    QVERIFY(before->inflight >= received.unacked()); // leases survive the kill, as leases
    QList<Message> drained;
    for (;;) {
        auto got = sink.callAndWait<RecvMethod>(RecvParams{std::nullopt, 32}, Timeout);
        QVERIFY2(got, got ? "" : qPrintable(got.error().message));
        if (got->messages.isEmpty())
            break;
        drained += got->messages;
    }
    QCOMPARE(drained.size(), before->unread + before->inflight);

    QHash<qint64, Message> drainedById;
    QSet<QString> drainedBodies;
    qint64 previousId = 0;
    qsizetype leasedButUnrecorded = 0;
    qsizetype committedButUnanswered = 0;
    for (const Message &message : std::as_const(drained)) {
        QVERIFY2(message.id > previousId, "the queue is not in ascending id order");
        previousId = message.id;
        drainedById.insert(message.id, message);
        QCOMPARE(message.to, Sink);
        if (received.delivered.contains(message.id)) {
            QVERIFY2(message.redelivered,
                     qPrintable(QStringLiteral("message %1 was leased before the kill").arg(message.id)));
        } else if (message.redelivered) {
            ++leasedButUnrecorded; // leased by the recv whose reply the kill cut off
        }
        if (message.from == QStringLiteral("system"))
            continue; // the engine's own notices, if any, are not what this test is about
        QVERIFY2(!drainedBodies.contains(message.body), qPrintable(message.body + QStringLiteral(" came twice")));
        drainedBodies.insert(message.body);
        const QByteArray body = message.body.toUtf8();
        if (!senderOf.contains(body)) {
            ++committedButUnanswered; // written, but the reply was lost with the engine
            QVERIFY2(message.from.startsWith(QLatin1Char('f')) && body.startsWith(message.from.toUtf8() + '-'),
                     qPrintable(message.from + QLatin1Char(' ') + message.body));
        } else {
            QCOMPARE(message.from, senderOf.value(body));
            QCOMPARE(sentById.value(message.id), body); // the id its send was answered with
        }
    }
    QVERIFY(leasedButUnrecorded <= RecvMax);
    QVERIFY(committedButUnanswered <= qsizetype(Flooders) * Window);

    // Every acknowledged send is either back in the queue or was acknowledged by the receiver.
    for (auto it = sentById.cbegin(); it != sentById.cend(); ++it) {
        const bool back = drainedById.contains(it.key());
        const bool consumed = received.acked.contains(it.key()) || received.ackInFlight.contains(it.key());
        QVERIFY2(back || consumed, qPrintable(QStringLiteral("acknowledged send %1 (message %2) is lost")
                                                  .arg(QString::fromUtf8(it.value()))
                                                  .arg(it.key())));
    }
    // Acks are final, and every lease that was not acknowledged came back.
    for (const qint64 id : std::as_const(received.acked))
        QVERIFY2(!drainedById.contains(id), qPrintable(QStringLiteral("acked message %1 came back").arg(id)));
    for (auto it = received.delivered.cbegin(); it != received.delivered.cend(); ++it) {
        if (!received.acked.contains(it.key()) && !received.ackInFlight.contains(it.key()))
            QVERIFY2(drainedById.contains(it.key()),
                     qPrintable(QStringLiteral("unacked message %1 did not come back").arg(it.key())));
    }
    const auto after = sink.callAndWait<StatusMethod>(StatusParams{}, Timeout);
    QCOMPARE(after->unread, 0);
    QCOMPARE(after->inflight, drained.size());
    sink.close();
    QCOMPARE(restarted.stop(SIGTERM), 0);

    // The file itself, read by the sqlite3 CLI: intact, and each send stored exactly once.
    const QString db = state + QStringLiteral("/engine.db");
    QCOMPARE(
        run(QStringLiteral("sqlite3"), {QStringLiteral("-readonly"), db, QStringLiteral("PRAGMA integrity_check")}),
        QStringLiteral("ok"));
    const QString separator(QChar(0x1f)); // bodies hold no unit separator
    const QString dump =
        run(QStringLiteral("sqlite3"), {QStringLiteral("-readonly"), QStringLiteral("-separator"), separator, db,
                                        QStringLiteral("SELECT id, sender, recipient, body, state FROM messages")});
    QHash<qint64, StoredRow> stored;
    QHash<QByteArray, int> copies;
    const QStringList rows = dump.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : rows) {
        const QStringList fields = line.split(separator);
        QCOMPARE(fields.size(), 5);
        const qint64 id = fields.at(0).toLongLong();
        const StoredRow row{fields.at(1), fields.at(2), fields.at(3).toUtf8(), fields.at(4)};
        if (row.recipient != Sink) {
            // The flooders sent nothing else; these are the engine's own notices (agent_added).
            QVERIFY2(row.sender == QStringLiteral("system"), qPrintable(row.describe(id)));
            continue;
        }
        stored.insert(id, row);
        if (row.sender != QStringLiteral("system"))
            ++copies[row.body];
    }
    for (auto it = copies.cbegin(); it != copies.cend(); ++it)
        QVERIFY2(it.value() == 1,
                 qPrintable(QStringLiteral("%1 stored %2 times").arg(QString::fromUtf8(it.key())).arg(it.value())));
    for (auto it = sentById.cbegin(); it != sentById.cend(); ++it) {
        QVERIFY2(stored.contains(it.key()), qPrintable(QStringLiteral("message %1 is not in the file").arg(it.key())));
        QCOMPARE(stored.value(it.key()).body, it.value());
        QCOMPARE(stored.value(it.key()).sender, senderOf.value(it.value()));
    }
    for (const qint64 id : std::as_const(received.acked))
        QCOMPARE(stored.value(id).state, QStringLiteral("acked"));
    for (const Message &message : std::as_const(drained))
        QCOMPARE(stored.value(message.id).state, QStringLiteral("delivered"));
    // Every row of the sink is accounted for: still leased to it (drained above), or acknowledged.
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        const QString row = it.value().describe(it.key());
        if (it.value().state == QStringLiteral("delivered")) {
            QVERIFY2(drainedById.contains(it.key()), qPrintable(row));
        } else {
            QVERIFY2(it.value().state == QStringLiteral("acked"), qPrintable(row));
            QVERIFY2(received.acked.contains(it.key()) || received.ackInFlight.contains(it.key()),
                     qPrintable(row + QStringLiteral(": acked, but nobody acked it")));
        }
    }
    qInfo("SIGKILL after %lld acknowledged sends (%lld more committed unanswered); receiver: %lld leased, %lld "
          "acked, %lld unacked; after restart %lld requeued, %lld drained",
          qint64(sentById.size()), qint64(committedButUnanswered), qint64(received.delivered.size()),
          qint64(received.acked.size()), qint64(received.unacked()), qint64(requeued->requeued),
          qint64(drained.size()));
}

QTEST_GUILESS_MAIN(TestBrokerDurability)
#include "tst_brokerdurability.moc"
