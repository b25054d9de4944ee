// SPDX-License-Identifier: MIT
#include "ptyprocess.h"

#include "containers/execchild.h"
#include "containers/procfs.h"

#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <termios.h>
#include <vector>

namespace hive::engine {

namespace {

constexpr qsizetype ReadChunk = 64 * 1024;
/// Reads per wake-up: bounded so that one busy terminal cannot starve the event loop.
constexpr int ReadsPerWakeup = 64;

Error systemError(const QString &what, int error = errno)
{
    return Error{ErrorCode::Io, QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(std::strerror(error))), {}};
}

/// Every live process of the session `sid` (the program and what it started on the terminal).
QList<qint64> sessionMembers(qint64 sid)
{
    QList<qint64> members;
    for (const ProcFs::Stat &stat : ProcFs::liveProcesses()) {
        if (stat.session == sid)
            members.append(stat.pid);
    }
    return members;
}

void signalSession(qint64 sid, int signal)
{
    for (qint64 pid : sessionMembers(sid))
        ::kill(static_cast<pid_t>(pid), signal);
}

} // namespace

Result<std::unique_ptr<PtyProcess>> PtyProcess::start(const PtyCommand &command)
{
    if (command.argv.isEmpty() || !QFileInfo(command.argv.first()).isAbsolute())
        return fail(ErrorCode::Internal, QStringLiteral("a terminal's program needs an absolute path"));
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master.valid())
        return fail(systemError(QStringLiteral("cannot open a pseudo-terminal")));
    std::array<char, 128> slaveName{};
    if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0 ||
        ::ptsname_r(master.get(), slaveName.data(), slaveName.size()) != 0)
        return fail(systemError(QStringLiteral("cannot set up the pseudo-terminal")));
    const winsize size{static_cast<unsigned short>(command.rows), static_cast<unsigned short>(command.cols), 0, 0};
    if (::ioctl(master.get(), TIOCSWINSZ, &size) != 0)
        return fail(systemError(QStringLiteral("cannot set the terminal size")));

    // After fork() only async-signal-safe calls: everything the child needs is made here.
    std::vector<QByteArray> storage;
    std::vector<char *> argv;
    std::vector<char *> envp;
    storage.reserve(static_cast<size_t>(command.argv.size() + command.environment.size()));
    for (const QString &argument : command.argv)
        storage.push_back(QFile::encodeName(argument));
    for (const QString &variable : command.environment)
        storage.push_back(variable.toUtf8());
    for (size_t i = 0; i < storage.size(); ++i) {
        (i < static_cast<size_t>(command.argv.size()) ? argv : envp).push_back(storage[i].data());
    }
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return fail(systemError(QStringLiteral("cannot create a pipe")));
    UniqueFd statusRead(pipeFds[0]);
    UniqueFd statusWrite(pipeFds[1]);
    // Above 0..3, so that the dup2() calls in the child cannot overwrite it.
    UniqueFd statusHigh(::fcntl(statusWrite.get(), F_DUPFD_CLOEXEC, 10));
    statusWrite.reset();
    if (!statusHigh.valid())
        return fail(systemError(QStringLiteral("cannot set up descriptors")));
    const long maxFd = ::sysconf(_SC_OPEN_MAX);

    const pid_t pid = ::fork();
    if (pid < 0)
        return fail(systemError(QStringLiteral("cannot fork for %1").arg(command.argv.first())));
    if (pid == 0) {
        ::setsid();
        // A session leader without a terminal that opens one gets it as its controlling terminal.
        const int slave = ::open(slaveName.data(), O_RDWR);
        if (slave >= 0 && ::ioctl(slave, TIOCSCTTY, 0) == 0 && ::dup2(slave, 0) == 0 && ::dup2(slave, 1) == 1 &&
            ::dup2(slave, 2) == 2 && ::dup3(statusHigh.get(), 3, O_CLOEXEC) == 3) {
            resetForExec(4, maxFd);
            ::execve(argv[0], argv.data(), envp.data());
        }
        const int error = errno;
        [[maybe_unused]] const ssize_t written = ::write(3, &error, sizeof error);
        ::_exit(127);
    }

    // The pipe reaches EOF when the child has exec'd (close-on-exec) or died.
    statusHigh.reset();
    int childError = 0;
    ssize_t got = 0;
    while ((got = ::read(statusRead.get(), &childError, sizeof childError)) < 0 && errno == EINTR) {
    }
    if (got > 0) {
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        return fail(systemError(QStringLiteral("cannot run %1").arg(command.argv.first()), childError));
    }
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    ::fcntl(master.get(), F_SETFL, ::fcntl(master.get(), F_GETFL) | O_NONBLOCK);
    return std::unique_ptr<PtyProcess>(new PtyProcess(pid, std::move(master), std::move(pidfd)));
}

PtyProcess::PtyProcess(qint64 pid, UniqueFd master, UniqueFd pidfd)
    : m_pid(pid), m_master(std::move(master)), m_pidfd(std::move(pidfd))
{
    m_readNotifier = new QSocketNotifier(m_master.get(), QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, [this] { readOutput(ReadsPerWakeup); });
    m_writeNotifier = new QSocketNotifier(m_master.get(), QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &PtyProcess::flushInput);
    m_killTimer = new QTimer(this);
    m_killTimer->setSingleShot(true);
    connect(m_killTimer, &QTimer::timeout, this, &PtyProcess::killProgram);
    if (m_pidfd.valid()) {
        m_exitNotifier = new QSocketNotifier(m_pidfd.get(), QSocketNotifier::Read, this);
        connect(m_exitNotifier, &QSocketNotifier::activated, this, &PtyProcess::reap);
    } else {
        // No pidfds (a kernel before 5.3): look for the exit now and then.
        auto *poll = new QTimer(this);
        connect(poll, &QTimer::timeout, this, &PtyProcess::reap);
        poll->start(200);
    }
}

PtyProcess::~PtyProcess()
{
    if (m_finished)
        return;
    signalSession(m_pid, SIGKILL);
    ::kill(static_cast<pid_t>(m_pid), SIGKILL);
    while (::waitpid(static_cast<pid_t>(m_pid), nullptr, 0) < 0 && errno == EINTR) {
    }
}

Result<void> PtyProcess::write(const QByteArray &data)
{
    if (m_finished || !m_master.valid())
        return fail(ErrorCode::Unavailable, QStringLiteral("the terminal is closing"));
    if (m_input.size() + data.size() > MaxQueuedInput) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the program does not read its input: %1 bytes wait already").arg(m_input.size()));
    }
    m_input += data;
    flushInput();
    return {};
}

void PtyProcess::flushInput()
{
    while (!m_input.isEmpty() && m_master.valid()) {
        const ssize_t written = ::write(m_master.get(), m_input.constData(), static_cast<size_t>(m_input.size()));
        if (written > 0) {
            m_input.remove(0, written);
        } else if (written < 0 && errno == EINTR) {
            continue;
        } else if (written < 0 && errno == EAGAIN) {
            break;
        } else {
            m_input.clear(); // EIO: nobody is left on the terminal to read it
            break;
        }
    }
    m_writeNotifier->setEnabled(!m_input.isEmpty() && m_master.valid());
}

Result<void> PtyProcess::resize(int cols, int rows)
{
    if (!m_master.valid())
        return fail(ErrorCode::Unavailable, QStringLiteral("the terminal is closing"));
    const winsize size{static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
    if (::ioctl(m_master.get(), TIOCSWINSZ, &size) != 0)
        return fail(systemError(QStringLiteral("cannot resize the terminal")));
    return {};
}

void PtyProcess::setReadingPaused(bool paused)
{
    m_paused = paused;
    if (m_master.valid() && !m_outputEnded)
        m_readNotifier->setEnabled(!paused);
}

void PtyProcess::readOutput(int maxReads)
{
    // A terminal hands out at most a few KiB per read: the reads of one wake-up are gathered into
    // pieces of up to 64 KiB, so that a busy program costs one message per piece, not per read.
    QPointer<PtyProcess> self(this);
    QByteArray piece(ReadChunk, Qt::Uninitialized);
    qsizetype filled = 0;
    const auto pass = [&] {
        if (filled == 0)
            return;
        piece.truncate(filled);
        Q_EMIT output(piece); // may pause reading, or end this object
        piece = QByteArray(ReadChunk, Qt::Uninitialized);
        filled = 0;
    };
    for (int i = 0; i < maxReads && self && m_master.valid() && !m_paused; ++i) {
        const ssize_t got = ::read(m_master.get(), piece.data() + filled, static_cast<size_t>(piece.size() - filled));
        if (got > 0) {
            filled += got;
            if (filled == piece.size())
                pass();
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got == 0 || errno != EAGAIN) {
            // EIO: no process has the terminal open any more; the exit comes through reap().
            m_outputEnded = true;
            m_readNotifier->setEnabled(false);
        }
        break;
    }
    if (self)
        pass();
}

void PtyProcess::reap()
{
    if (m_finished)
        return;
    int status = 0;
    pid_t got = 0;
    while ((got = ::waitpid(static_cast<pid_t>(m_pid), &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (got == 0)
        return; // still running (a spurious wake-up)
    PtyExit exit;
    if (got > 0 && WIFEXITED(status))
        exit.exitCode = WEXITSTATUS(status);
    else if (got > 0 && WIFSIGNALED(status))
        exit.signal = WTERMSIG(status);
    m_finished = true;
    m_killTimer->stop();
    if (m_exitNotifier)
        m_exitNotifier->setEnabled(false);
    // What the program wrote last is still in the terminal's buffer: pass it on before the end.
    QPointer<PtyProcess> self(this);
    for (int i = 0; i < 64 && self && m_master.valid(); ++i) {
        QByteArray chunk(ReadChunk, Qt::Uninitialized);
        const ssize_t read = ::read(m_master.get(), chunk.data(), static_cast<size_t>(chunk.size()));
        if (read <= 0)
            break;
        chunk.truncate(read);
        Q_EMIT output(chunk);
    }
    if (!self)
        return;
    closeMaster();
    Q_EMIT finished(exit); // the last thing: a receiver may delete this
}

void PtyProcess::closeMaster()
{
    if (!m_master.valid())
        return;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    m_input.clear();
    m_master.reset(); // hangs the terminal up for whatever still has it open
}

void PtyProcess::hangUp(std::chrono::milliseconds grace)
{
    if (m_finished)
        return;
    // Every process still on the terminal hears the hang-up (a program run with nohup ignores
    // it, as with any terminal); then the terminal goes away.
    signalSession(m_pid, SIGHUP); // the program leads the session: it is one of them
    closeMaster();
    m_killTimer->start(grace);
}

void PtyProcess::killProgram()
{
    if (m_finished)
        return;
    for (const ProcFs::Stat &stat : ProcFs::liveProcesses()) {
        if (stat.ppid == m_pid)
            ::kill(static_cast<pid_t>(stat.pid), SIGKILL);
    }
    ::kill(static_cast<pid_t>(m_pid), SIGKILL);
}

} // namespace hive::engine
