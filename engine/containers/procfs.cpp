// SPDX-License-Identifier: MIT
#include "procfs.h"

#include <QElapsedTimer>
#include <QThread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <dirent.h>
#include <memory>

namespace hive::engine {

QByteArray ProcFs::path(qint64 pid, const char *entry)
{
    return "/proc/" + QByteArray::number(pid) + '/' + entry;
}

// "pid (comm) state ppid pgrp session ... starttime(22) ...": comm may hold spaces and parentheses, so the fields
// are counted from the last ')'.
std::optional<ProcFs::Stat> ProcFs::readStat(qint64 pid)
{
    UniqueFd fd(::open(path(pid, "stat").constData(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return std::nullopt;
    char buffer[1024];
    const ssize_t size = ::read(fd.get(), buffer, sizeof buffer);
    if (size <= 0)
        return std::nullopt;
    const QByteArray text(buffer, static_cast<qsizetype>(size));
    const qsizetype open = text.indexOf('(');
    const qsizetype close = text.lastIndexOf(')');
    if (open < 0 || close < open)
        return std::nullopt;
    const QList<QByteArray> fields = text.mid(close + 2).split(' '); // fields[0] is field 3 (state)
    if (fields.size() < 20 || fields[0].isEmpty())
        return std::nullopt;
    return Stat{pid,
                text.mid(open + 1, close - open - 1),
                fields[0][0],
                fields[1].toLongLong(),
                fields[3].toLongLong(),
                fields[19].toULongLong()};
}

bool ProcFs::isLive(qint64 pid, quint64 startTime)
{
    const auto stat = readStat(pid);
    return stat && stat->startTime == startTime && stat->state != 'Z' && stat->state != 'X' && stat->state != 'x';
}

QList<ProcFs::Stat> ProcFs::liveProcesses()
{
    QList<Stat> processes;
    const std::unique_ptr<DIR, int (*)(DIR *)> proc(::opendir("/proc"), ::closedir);
    if (!proc)
        return processes;
    while (const dirent *entry = ::readdir(proc.get())) {
        bool numeric = false;
        const qint64 pid = QByteArray(entry->d_name).toLongLong(&numeric);
        if (!numeric)
            continue;
        if (const auto stat = readStat(pid); stat && stat->state != 'Z')
            processes.append(*stat);
    }
    return processes;
}

QList<qint64> ProcFs::liveUids()
{
    QList<qint64> uids;
    for (const Stat &process : liveProcesses()) {
        struct stat owner = {};
        if (::stat(path(process.pid, "").constData(), &owner) == 0)
            uids.append(owner.st_uid);
    }
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

// A pidfd pins the process; its start time, checked after opening it, proves it is still the one we recorded.
UniqueFd ProcFs::exactPidfd(qint64 pid, quint64 startTime)
{
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0U)));
    if (fd.valid()) {
        const auto stat = readStat(pid);
        if (!stat || stat->startTime != startTime)
            fd.reset();
    }
    return fd;
}

bool ProcFs::signalExact(qint64 pid, quint64 startTime, int signal)
{
    const UniqueFd fd = exactPidfd(pid, startTime);
    return fd.valid() && ::syscall(SYS_pidfd_send_signal, fd.get(), signal, nullptr, 0U) == 0;
}

bool ProcFs::waitUntilGone(const QList<Stat> &processes, int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (
        std::any_of(processes.cbegin(), processes.cend(), [](const Stat &p) { return isLive(p.pid, p.startTime); })) {
        if (waited.hasExpired(timeoutMs))
            return false;
        QThread::msleep(5);
    }
    return true;
}

} // namespace hive::engine
