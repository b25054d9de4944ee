// SPDX-License-Identifier: MIT
// hive-test-flooder: one agent's client as a separate process, for tst_brokerdurability. It
// speaks newline-delimited JSON-RPC on the agent socket with plain blocking POSIX I/O and
// writes one stdout line per outcome, flushed at once, and only after the engine's reply
// arrived, so that its output survives the engine being killed and is a true record of what
// the engine acknowledged.
//
//   hive-test-flooder send SOCKET TO PREFIX COUNT WINDOW
//       pipelines COUNT sends (at most WINDOW unanswered) with bodies PREFIX-000000...
//       prints "sent BODY ID" per acknowledged send, "refused BODY CODE" per error, "done" at the end
//   hive-test-flooder recv SOCKET
//       loops recv {wait_seconds 1, max 8}; prints "delivered ID REDELIVERED BODY" per message;
//       acknowledges the even ids: "acking ID..." before the call, "acked N ID..." after its reply
//
// Exit codes: 0 done, 2 usage, 3 the connection ended (the engine went away), 4 protocol error.
#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace {

constexpr int ExitUsage = 2;
constexpr int ExitConnectionLost = 3;
constexpr int ExitProtocol = 4;

/// A connected unix stream socket read line by line.
class LineSocket
{
public:
    explicit LineSocket(const char *path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path, sizeof(address.sun_path) - 1);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
            m_error = errno;
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~LineSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    LineSocket(const LineSocket &) = delete;
    LineSocket &operator=(const LineSocket &) = delete;

    [[nodiscard]] bool isConnected() const { return m_fd >= 0; }
    [[nodiscard]] int connectError() const { return m_error; }

    bool writeLine(const QByteArray &line)
    {
        const QByteArray data = line + '\n';
        qsizetype done = 0;
        while (done < data.size()) {
            const ssize_t n =
                ::send(m_fd, data.constData() + done, static_cast<size_t>(data.size() - done), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            done += n;
        }
        return true;
    }

    /// The next line without its newline; nullopt when the peer closed or the read failed.
    std::optional<QByteArray> readLine()
    {
        for (;;) {
            const qsizetype newline = m_buffer.indexOf('\n');
            if (newline >= 0) {
                QByteArray line = m_buffer.left(newline);
                m_buffer.remove(0, newline + 1);
                return line;
            }
            char chunk[65536];
            const ssize_t n = ::recv(m_fd, chunk, sizeof(chunk), 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return std::nullopt;
            m_buffer.append(chunk, static_cast<qsizetype>(n));
        }
    }

private:
    int m_fd = -1;
    int m_error = 0;
    QByteArray m_buffer;
};

QByteArray request(qint64 id, const char *method, const QJsonObject &params)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                     {QStringLiteral("id"), id},
                                     {QStringLiteral("method"), QString::fromLatin1(method)},
                                     {QStringLiteral("params"), params}})
        .toJson(QJsonDocument::Compact);
}

void emitLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

int flood(LineSocket &socket, const QString &to, const QString &prefix, int count, int window)
{
    QList<QString> bodies(count);
    int next = 0;
    int answered = 0;
    while (answered < count) {
        while (next < count && next - answered < window) {
            bodies[next] = QStringLiteral("%1-%2").arg(prefix).arg(next, 6, 10, QLatin1Char('0'));
            if (!socket.writeLine(
                    request(next, "send", {{QStringLiteral("to"), to}, {QStringLiteral("body"), bodies[next]}})))
                return ExitConnectionLost;
            ++next;
        }
        const std::optional<QByteArray> line = socket.readLine();
        if (!line)
            return ExitConnectionLost;
        const QJsonObject reply = QJsonDocument::fromJson(*line).object();
        const int id = reply.value(QStringLiteral("id")).toInt(-1);
        if (id < 0 || id >= next)
            return ExitProtocol;
        const QByteArray body = bodies[id].toUtf8();
        if (reply.contains(QStringLiteral("result"))) {
            const qint64 messageId =
                reply.value(QStringLiteral("result")).toObject().value(QStringLiteral("id")).toInteger(-1);
            emitLine("sent " + body + ' ' + QByteArray::number(messageId));
        } else {
            const int code = reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt();
            emitLine("refused " + body + ' ' + QByteArray::number(code));
        }
        ++answered;
    }
    emitLine("done");
    return 0;
}

int receive(LineSocket &socket)
{
    for (qint64 call = 1;; ++call) {
        if (!socket.writeLine(request(call, "recv", {{QStringLiteral("wait_seconds"), 1}, {QStringLiteral("max"), 8}})))
            return ExitConnectionLost;
        std::optional<QByteArray> line = socket.readLine();
        if (!line)
            return ExitConnectionLost;
        const QJsonObject reply = QJsonDocument::fromJson(*line).object();
        if (reply.value(QStringLiteral("id")).toInteger() != call || !reply.contains(QStringLiteral("result")))
            return ExitProtocol;
        QJsonArray toAck;
        QByteArray ackList;
        const QJsonArray messages =
            reply.value(QStringLiteral("result")).toObject().value(QStringLiteral("messages")).toArray();
        for (const auto &value : messages) {
            const QJsonObject message = value.toObject();
            const qint64 id = message.value(QStringLiteral("id")).toInteger();
            emitLine("delivered " + QByteArray::number(id) + ' ' +
                     (message.value(QStringLiteral("redelivered")).toBool() ? "true " : "false ") +
                     message.value(QStringLiteral("body")).toString().toUtf8());
            if (id % 2 == 0) {
                toAck.append(id);
                ackList += ' ' + QByteArray::number(id);
            }
        }
        if (toAck.isEmpty())
            continue;
        ++call;
        emitLine("acking" + ackList);
        if (!socket.writeLine(request(call, "ack", {{QStringLiteral("ids"), toAck}})))
            return ExitConnectionLost;
        line = socket.readLine();
        if (!line)
            return ExitConnectionLost;
        const QJsonObject ackReply = QJsonDocument::fromJson(*line).object();
        if (ackReply.value(QStringLiteral("id")).toInteger() != call || !ackReply.contains(QStringLiteral("result")))
            return ExitProtocol;
        const qint64 acked =
            ackReply.value(QStringLiteral("result")).toObject().value(QStringLiteral("acked")).toInteger(-1);
        emitLine("acked " + QByteArray::number(acked) + ackList);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    const QByteArray mode = argc > 1 ? QByteArray(argv[1]) : QByteArray();
    if (!((mode == "send" && argc == 7) || (mode == "recv" && argc == 3))) {
        std::fprintf(stderr, "usage: hive-test-flooder send SOCKET TO PREFIX COUNT WINDOW\n"
                             "       hive-test-flooder recv SOCKET\n");
        return ExitUsage;
    }
    LineSocket socket(argv[2]);
    if (!socket.isConnected()) {
        std::fprintf(stderr, "hive-test-flooder: cannot connect to %s: %s\n", argv[2],
                     std::strerror(socket.connectError()));
        return ExitConnectionLost;
    }
    if (mode == "recv")
        return receive(socket);
    return flood(socket, QString::fromLocal8Bit(argv[3]), QString::fromLocal8Bit(argv[4]), std::atoi(argv[5]),
                 std::atoi(argv[6]));
}
