// SPDX-License-Identifier: MIT
#include "terminalbench.h"

#include "childprocess.h"
#include "containerengine.h"
#include "interrupt.h"
#include "measurement.h"
#include "monotonic.h"
#include "protocol/methods.h"
#include "protocol/version.h"
#include "rpcclient.h"
#include "terminalchannel.h"
#include "websocketpeer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <cstdio>
#include <memory>
#include <vector>

namespace hive::bench {

namespace {

constexpr char Agent[] = "relaybench";
constexpr char FileName[] = "relay.txt";
constexpr int TransferTimeoutMs = 120'000;
constexpr int SetupTimeoutMs = 30'000;

/// Text as a terminal shows it: printable ASCII in lines of 40 to 119 characters.
Result<void> writeTextFile(const QString &path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QRandomGenerator random(42);
    QByteArray block;
    block.reserve(1024 * 1024 + 128);
    qint64 written = 0;
    while (written < size) {
        block.clear();
        while (block.size() < 1024 * 1024) {
            const int length = 40 + static_cast<int>(random.bounded(80));
            for (int i = 0; i < length; ++i)
                block.append(static_cast<char>(' ' + random.bounded(95)));
            block.append('\n');
        }
        block.truncate(std::min<qint64>(block.size(), size - written));
        if (file.write(block) != block.size())
            return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        written += block.size();
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                        QFileDevice::ReadOther);
    return {};
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// Runs a program to its end; its output on failure.
Result<void> runTool(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(SetupTimeoutMs) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        return fail(ErrorCode::Unavailable, QStringLiteral("%1 %2 failed: %3")
                                                .arg(program, arguments.join(QLatin1Char(' ')),
                                                     QString::fromUtf8(process.readAll()).trimmed()));
    }
    return {};
}

/// A private sshd on loopback for the anchor: its own host key, one authorized client key, root
/// allowed with the key only, no PAM. Stopped when this goes away.
class SshServer
{
public:
    explicit SshServer(QString dir) : m_dir(std::move(dir)) {}

    [[nodiscard]] Result<void> start()
    {
        const QString sshd = QStringLiteral("/usr/sbin/sshd");
        const QString keygen = QStandardPaths::findExecutable(QStringLiteral("ssh-keygen"));
        m_ssh = QStandardPaths::findExecutable(QStringLiteral("ssh"));
        if (!QFile::exists(sshd) || keygen.isEmpty() || m_ssh.isEmpty())
            return fail(ErrorCode::Unavailable, QStringLiteral("the anchor needs openssh-server and openssh-client "
                                                               "(scripts/bench containers installs them)"));
        QDir().mkpath(m_dir);
        QDir().mkpath(QStringLiteral("/run/sshd")); // its privilege separation dir
        for (const char *key : {"host_key", "client_key"}) {
            if (auto made = runTool(keygen, {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                             QStringLiteral("-N"), QString(), QStringLiteral("-f"), path(key)});
                !made)
                return made;
        }
        QFile::copy(path("client_key.pub"), path("authorized_keys"));
        m_port = freePort();
        const QByteArray config = "Port " + QByteArray::number(m_port) +
                                  "\nListenAddress 127.0.0.1\n"
                                  "HostKey " +
                                  QFile::encodeName(path("host_key")) + "\nAuthorizedKeysFile " +
                                  QFile::encodeName(path("authorized_keys")) + "\nPidFile " +
                                  QFile::encodeName(path("sshd.pid")) +
                                  "\nPermitRootLogin prohibit-password\n"
                                  "PasswordAuthentication no\n"
                                  "KbdInteractiveAuthentication no\n"
                                  "UsePAM no\n"
                                  "StrictModes no\n"
                                  "PrintMotd no\n"
                                  "LogLevel ERROR\n";
        QFile file(path("sshd_config"));
        if (!file.open(QIODevice::WriteOnly) || file.write(config) != config.size())
            return fail(ErrorCode::Io, QStringLiteral("cannot write %1").arg(file.fileName()));
        file.close();
        if (auto started = m_process.start(
                sshd, {QStringLiteral("-D"), QStringLiteral("-e"), QStringLiteral("-f"), file.fileName()},
                path("sshd.log"));
            !started)
            return started;
        // Up once it accepts connections.
        for (int attempt = 0; attempt < 300; ++attempt) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (socket.waitForConnected(100))
                return {};
            if (!m_process.isRunning())
                break;
            QThread::msleep(10);
        }
        QFile log(path("sshd.log"));
        (void)log.open(QIODevice::ReadOnly);
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("sshd did not come up: %1").arg(QString::fromUtf8(log.readAll()).trimmed()));
    }

    /// `ssh -tt root@127.0.0.1 cat FILE` with this server's key, asking nothing.
    [[nodiscard]] QStringList catCommand(const QString &file) const
    {
        return {m_ssh,
                QStringLiteral("-tt"),
                QStringLiteral("-i"),
                path("client_key"),
                QStringLiteral("-p"),
                QString::number(m_port),
                QStringLiteral("-o"),
                QStringLiteral("StrictHostKeyChecking=no"),
                QStringLiteral("-o"),
                QStringLiteral("UserKnownHostsFile=/dev/null"),
                QStringLiteral("-o"),
                QStringLiteral("BatchMode=yes"),
                QStringLiteral("-o"),
                QStringLiteral("LogLevel=ERROR"),
                QStringLiteral("root@127.0.0.1"),
                QStringLiteral("cat"),
                file};
    }

private:
    [[nodiscard]] QString path(const char *name) const { return QDir(m_dir).filePath(QLatin1String(name)); }

    QString m_dir;
    QString m_ssh;
    quint16 m_port = 0;
    ChildProcess m_process;
};

} // namespace

Result<TerminalBench::Transfer> TerminalBench::measureOurs(ContainerEngine &engine, const QString &token) const
{
    auto info = engine.call<protocol::EngineInfoMethod>(protocol::EngineInfoParams{});
    if (!info)
        return fail(info.error());
    const QString fingerprint = info->tlsFingerprint;
    client::RpcClient remote(new client::WebSocketPeer(
        QUrl(QStringLiteral("wss://%1/").arg(info->listen)),
        [fingerprint](const QString &presented, QString *) { return presented == fingerprint; }));
    if (auto opened = remote.openAndWait(SetupTimeoutMs); !opened)
        return fail(opened.error());
    if (auto hello = remote.callAndWait<protocol::HelloMethod>(
            protocol::HelloParams{QString::fromLatin1(protocol::Version), token, QStringLiteral("hive-bench")},
            SetupTimeoutMs);
        !hello)
        return fail(hello.error());
    client::TerminalChannel channel(remote);
    qint64 bytes = 0;
    qint64 firstNs = 0;
    qint64 lastNs = 0;
    bool counting = false;
    std::optional<protocol::TerminalClosed> closed;
    QObject::connect(&channel, &client::TerminalChannel::output, &channel, [&](const QByteArray &data) {
        if (!counting)
            return;
        lastNs = monotonicNs();
        if (firstNs == 0)
            firstNs = lastNs;
        bytes += data.size();
    });
    QObject::connect(&channel, &client::TerminalChannel::closed, &channel,
                     [&](const protocol::TerminalClosed &end) { closed = end; });
    auto opened = channel.openAndWait(protocol::TerminalOpenParams{QLatin1String(Agent), 120, 40}, SetupTimeoutMs);
    if (!opened)
        return fail(opened.error());
    // The shell's prompt and the echo of what is typed are not part of the transfer: echo off,
    // and counting starts once the shell has been quiet for a moment.
    channel.write("stty -echo; PS1=; PROMPT_COMMAND=\n");
    (void)engine.waitUntil([] { return false; }, 500);
    counting = true;
    channel.write(QByteArray("exec cat /state/") + FileName + '\n');
    if (!engine.waitUntil([&] { return closed.has_value(); }, TransferTimeoutMs))
        return fail(ErrorCode::Unavailable, QStringLiteral("the terminal did not end within %1 s (%2 bytes so far)")
                                                .arg(TransferTimeoutMs / 1000)
                                                .arg(bytes));
    if (closed->exitCode != 0)
        return fail(ErrorCode::Internal, QStringLiteral("cat inside the container failed (%1 bytes)").arg(bytes));
    if (bytes < FileBytes)
        return fail(ErrorCode::Internal,
                    QStringLiteral("only %1 of %2 bytes arrived through the terminal").arg(bytes).arg(FileBytes));
    return Transfer{bytes, static_cast<double>(lastNs - firstNs) / static_cast<double>(NsPerSecond)};
}

Result<TerminalBench::Transfer> TerminalBench::measureAnchor(const QStringList &ssh) const
{
    QProcess process;
    qint64 bytes = 0;
    qint64 firstNs = 0;
    qint64 lastNs = 0;
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [&] {
        const QByteArray data = process.readAllStandardOutput();
        lastNs = monotonicNs();
        if (firstNs == 0)
            firstNs = lastNs;
        bytes += data.size();
    });
    process.start(ssh.first(), ssh.mid(1));
    if (!process.waitForFinished(TransferTimeoutMs) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        return fail(ErrorCode::Unavailable, QStringLiteral("ssh failed (exit %1): %2")
                                                .arg(process.exitCode())
                                                .arg(QString::fromUtf8(process.readAllStandardError()).trimmed()));
    }
    const QByteArray rest = process.readAllStandardOutput();
    if (!rest.isEmpty()) {
        lastNs = monotonicNs();
        bytes += rest.size();
    }
    if (bytes < FileBytes)
        return fail(ErrorCode::Internal,
                    QStringLiteral("only %1 of %2 bytes arrived over ssh").arg(bytes).arg(FileBytes));
    return Transfer{bytes, static_cast<double>(lastNs - firstNs) / static_cast<double>(NsPerSecond)};
}

int TerminalBench::run()
{
    ContainerEngine engine(m_settings.engineProgram, m_settings.harnessProgram,
                           QDir(m_settings.dir).filePath(QStringLiteral("engine")),
                           QStringLiteral("127.0.0.1:%1").arg(freePort()));
    const auto failed = [](const QString &what, const Error &error) {
        std::fprintf(stderr, "hive-bench-containers: terminal-relay: %s: %s\n", qPrintable(what),
                     qPrintable(error.message));
        return Interrupt::requested() ? 130 : 1;
    };
    if (auto started = engine.start(); !started)
        return failed(QStringLiteral("starting the engine"), started.error());
    auto agent = engine.spawn(QLatin1String(Agent));
    if (!agent)
        return failed(QStringLiteral("spawning %1").arg(QLatin1String(Agent)), agent.error());
    const QString file = QDir(engine.specOf(*agent).stateDir).filePath(QLatin1String(FileName));
    if (auto written = writeTextFile(file, FileBytes); !written)
        return failed(QStringLiteral("the test file"), written.error());
    auto token = engine.call<protocol::TokenCreateMethod>(
        protocol::TokenCreateParams{QStringLiteral("relay-bench"), QStringLiteral("operator")});
    if (!token)
        return failed(QStringLiteral("token_create"), token.error());
    SshServer sshd(QDir(m_settings.dir).filePath(QStringLiteral("sshd")));
    if (auto started = sshd.start(); !started)
        return failed(QStringLiteral("the anchor's sshd"), started.error());
    const QStringList ssh = sshd.catCommand(file);

    std::vector<double> ours;
    std::vector<double> anchor;
    for (int round = 0; round < m_settings.repeat && !Interrupt::requested(); ++round) {
        auto mine = measureOurs(engine, token->secret);
        if (!mine)
            return failed(QStringLiteral("round %1, ours").arg(round + 1), mine.error());
        auto theirs = measureAnchor(ssh);
        if (!theirs)
            return failed(QStringLiteral("round %1, ssh").arg(round + 1), theirs.error());
        ours.push_back(mine->megabytesPerSecond());
        anchor.push_back(theirs->megabytesPerSecond());
        std::fprintf(stderr,
                     "terminal-relay round %d: ours %.1f MB/s (%lld bytes in %.3f s), ssh %.1f MB/s (%lld bytes)\n",
                     round + 1, mine->megabytesPerSecond(), static_cast<long long>(mine->bytes), mine->seconds,
                     theirs->megabytesPerSecond(), static_cast<long long>(theirs->bytes));
    }
    if (Interrupt::requested())
        return 130;
    printBenchLine(QStringLiteral("terminal-relay"), median(ours), median(anchor),
                   [](double value) { return QStringLiteral("%1MB/s").arg(value, 0, 'f', 1); });
    return 0;
}

} // namespace hive::bench
