// SPDX-License-Identifier: MIT
#include "shellcommand.h"

#include "engineconnection.h"
#include "signalwatcher.h"
#include "terminal.h"
#include "terminalchannel.h"

#include <QEventLoop>
#include <QScopeGuard>
#include <QSocketNotifier>

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <termios.h>

namespace hive::ctl {

namespace {

constexpr int DefaultCols = 80;
constexpr int DefaultRows = 24;
/// What ends a shell's input at the start of a line (the terminal's EOF character, Ctrl-D).
constexpr char EndOfInput = '\x04';

/// The size of the terminal hivectl runs in, or 80x24 when it runs in none.
std::pair<int, int> windowSize()
{
    winsize size{};
    for (int fd : {STDOUT_FILENO, STDIN_FILENO}) {
        if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 && size.ws_row > 0)
            return {size.ws_col, size.ws_row};
    }
    return {DefaultCols, DefaultRows};
}

void writeAll(int fd, const QByteArray &data)
{
    qsizetype at = 0;
    while (at < data.size()) {
        const ssize_t written = ::write(fd, data.constData() + at, static_cast<size_t>(data.size() - at));
        if (written > 0)
            at += written;
        else if (written < 0 && errno != EINTR && errno != EAGAIN)
            return; // stdout went away; the shell's end will follow
    }
}

} // namespace

ShellCommand::ShellCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int ShellCommand::run()
{
    client::TerminalChannel channel(m_connection.client());
    const auto [cols, rows] = windowSize();
    auto opened =
        channel.openAndWait(protocol::TerminalOpenParams{m_invocation.name, cols, rows}, m_invocation.timeoutMs);
    if (!opened)
        return m_terminal.fail(opened.error().message, m_connection.exitCodeFor(opened.error()));

    // At a terminal every key goes to the remote shell as typed: raw mode, restored on the way out.
    const bool interactive = m_terminal.stdinIsTty();
    termios saved{};
    const bool raw = interactive && ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (raw) {
        termios rawMode = saved;
        ::cfmakeraw(&rawMode);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &rawMode);
    }
    const auto restore = qScopeGuard([raw, &saved] {
        if (raw)
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    });

    QEventLoop loop;
    std::optional<int> exitCode;
    QObject::connect(&channel, &client::TerminalChannel::output, &loop,
                     [](const QByteArray &data) { writeAll(STDOUT_FILENO, data); });
    QObject::connect(&channel, &client::TerminalChannel::closed, &loop, [&](const protocol::TerminalClosed &closed) {
        if (closed.exitCode)
            exitCode = *closed.exitCode;
        else
            exitCode = 128 + closed.signal.value_or(0);
        if (closed.reason != QLatin1String(protocol::terminalendings::Exited)) {
            m_terminal.note(QStringLiteral("%1hivectl: the terminal was closed (%2)\n")
                                .arg(raw ? QStringLiteral("\r\n") : QString(), closed.reason));
        }
        loop.quit();
    });
    QObject::connect(&channel, &client::TerminalChannel::error, &loop, [&](const Error &error) {
        m_terminal.note(QStringLiteral("%1hivectl: %2%1\n").arg(raw ? QStringLiteral("\r") : QString(), error.message));
        if (!m_connection.client().isOpen()) {
            exitCode = toInt(ExitCode::Local);
            loop.quit();
        }
    });
    QObject::connect(&m_connection.client(), &client::RpcClient::closed, &loop, [&](const Error &reason) {
        if (!exitCode) {
            m_terminal.note(QStringLiteral("hivectl: %1\n").arg(reason.message));
            exitCode = toInt(ExitCode::Local);
        }
        loop.quit();
    });

    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &loop, [&] {
        char buffer[16384];
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got > 0) {
            channel.write(QByteArray(buffer, got));
        } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
            // Piped input ended: end the shell's input the way a terminal does.
            input.setEnabled(false);
            channel.write(QByteArray(1, EndOfInput));
        }
    });

    SignalWatcher watcher(SignalWatcher::Hangup::Default);
    QObject::connect(&watcher, &SignalWatcher::windowResized, &loop, [&channel] {
        const auto [newCols, newRows] = windowSize();
        channel.resize(newCols, newRows);
    });
    QObject::connect(&watcher, &SignalWatcher::terminateRequested, &loop, [&channel] { channel.close(); });

    if (!exitCode)
        loop.exec();
    return exitCode.value_or(toInt(ExitCode::Local));
}

} // namespace hive::ctl
