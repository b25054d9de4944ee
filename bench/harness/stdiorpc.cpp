// SPDX-License-Identifier: MIT
#include "stdiorpc.h"

#include "jsonrpc.h"
#include "monotonic.h"

#include <QFile>
#include <QJsonDocument>
#include <QThread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <vector>

namespace hive::bench {

namespace {

constexpr qsizetype ReadChunk = qsizetype{64} * 1024;
constexpr int ExitWaitMs = 5000;

QString systemError(const char *what)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
}

} // namespace

StdioRpc::~StdioRpc()
{
    ::close(m_input);
    // The MCP server ends when its stdin does; one that lingers is killed.
    const qint64 deadline = monotonicNs() + ExitWaitMs * NsPerMs;
    int status = 0;
    while (::waitpid(m_pid, &status, WNOHANG) == 0) {
        if (monotonicNs() > deadline) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &status, 0);
            break;
        }
        QThread::msleep(10);
    }
    ::close(m_output);
}

Result<std::unique_ptr<StdioRpc>> StdioRpc::start(const QString &program, const QStringList &arguments,
                                                  const QString &logPath)
{
    // A child that died must fail a write, not end the benchmark.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<QByteArray> encoded{QFile::encodeName(program)};
    for (const QString &argument : arguments)
        encoded.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    argv.reserve(encoded.size() + 1);
    for (QByteArray &argument : encoded)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    const int log = ::open(QFile::encodeName(logPath).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0)
        return fail(ErrorCode::Io, systemError("open") + QStringLiteral(" (%1)").arg(logPath));
    int toChild[2] = {-1, -1};
    int fromChild[2] = {-1, -1};
    if (::pipe2(toChild, O_CLOEXEC) != 0 || ::pipe2(fromChild, O_CLOEXEC) != 0) {
        const QString reason = systemError("pipe2");
        for (const int fd : {log, toChild[0], toChild[1], fromChild[0], fromChild[1]}) {
            if (fd >= 0)
                ::close(fd);
        }
        return fail(ErrorCode::Io, reason);
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls until exec: this process was forked from a threaded one.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(toChild[0], STDIN_FILENO);
        ::dup2(fromChild[1], STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const QString reason = pid < 0 ? systemError("fork") : QString();
    ::close(log);
    ::close(toChild[0]);
    ::close(fromChild[1]);
    if (pid < 0) {
        ::close(toChild[1]);
        ::close(fromChild[0]);
        return fail(ErrorCode::Io, reason);
    }
    return std::unique_ptr<StdioRpc>(new StdioRpc(pid, toChild[1], fromChild[0]));
}

Result<QJsonObject> StdioRpc::call(const QByteArray &method, const QByteArray &params, int timeoutMs)
{
    const qint64 id = m_nextId++;
    QByteArray frame;
    frame.reserve(64 + method.size() + params.size());
    frame.append(R"({"jsonrpc":"2.0","id":)")
        .append(QByteArray::number(id))
        .append(R"(,"method":")")
        .append(method)
        .append(R"(","params":)")
        .append(params)
        .append("}\n");
    if (auto written = writeAll(frame); !written)
        return fail(written.error().wrapped(QString::fromLatin1(method)));

    const qint64 deadline = monotonicNs() + timeoutMs * NsPerMs;
    for (;;) {
        auto line = readLine(deadline);
        if (!line)
            return fail(line.error().wrapped(QString::fromLatin1(method)));
        const QJsonObject reply = QJsonDocument::fromJson(*line).object();
        if (reply.contains(QLatin1String("method")) || reply.value(QLatin1String("id")).toInteger(-1) != id)
            continue;
        if (reply.contains(QLatin1String("error"))) {
            return fail(rpc::Codec::errorFromJson(reply.value(QLatin1String("error")).toObject())
                            .wrapped(QString::fromLatin1(method)));
        }
        return reply.value(QLatin1String("result")).toObject();
    }
}

Result<void> StdioRpc::notify(const QByteArray &method, const QByteArray &params)
{
    return writeAll(R"({"jsonrpc":"2.0","method":")" + method + R"(","params":)" + params + "}\n");
}

Result<void> StdioRpc::writeAll(const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t written = ::write(m_input, data.constData() + done, static_cast<size_t>(data.size() - done));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return fail(ErrorCode::Io, systemError("write"));
        }
        done += written;
    }
    return {};
}

Result<QByteArray> StdioRpc::readLine(qint64 deadlineNs)
{
    qsizetype scanned = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', scanned);
        if (newline >= 0) {
            QByteArray line = m_buffer.left(newline);
            m_buffer.remove(0, newline + 1);
            return line;
        }
        scanned = m_buffer.size();
        const qint64 left = deadlineNs - monotonicNs();
        if (left <= 0)
            return fail(ErrorCode::Unavailable, QStringLiteral("no reply in time"));
        pollfd watched{m_output, POLLIN, 0};
        const int ready = ::poll(&watched, 1, static_cast<int>((left + NsPerMs - 1) / NsPerMs));
        if (ready < 0 && errno != EINTR)
            return fail(ErrorCode::Io, systemError("poll"));
        if (ready <= 0)
            continue;
        const qsizetype old = m_buffer.size();
        m_buffer.resize(old + ReadChunk);
        const ssize_t got = ::read(m_output, m_buffer.data() + old, ReadChunk);
        m_buffer.resize(old + std::max<qsizetype>(got, 0));
        if (got == 0)
            return fail(ErrorCode::Unavailable, QStringLiteral("the MCP server closed its stdout (see its log)"));
        if (got < 0 && errno != EINTR)
            return fail(ErrorCode::Io, systemError("read"));
    }
}

} // namespace hive::bench
