// SPDX-License-Identifier: MIT
#pragma once

#include "uniquefd.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace hive::engine {

/// Processes as /proc shows them, and signals that reach exactly the process meant: a pid is
/// always paired with its start time, so a recycled pid is never taken for the one recorded.
class ProcFs
{
public:
    /// The fields of /proc/<pid>/stat the container runtime needs.
    struct Stat {
        qint64 pid = 0;
        QByteArray comm;
        char state = '?';
        qint64 ppid = 0;
        qint64 session = 0;
        quint64 startTime = 0; ///< field 22: clock ticks since boot
    };

    /// "/proc/<pid>/<entry>".
    [[nodiscard]] static QByteArray path(qint64 pid, const char *entry);
    [[nodiscard]] static std::optional<Stat> readStat(qint64 pid);
    /// The process runs (not a zombie) and is the one that started at `startTime`.
    [[nodiscard]] static bool isLive(qint64 pid, quint64 startTime);
    /// Every process that is not a zombie.
    [[nodiscard]] static QList<Stat> liveProcesses();
    /// The uids that live processes run as (the owners of their /proc entries), sorted, each once.
    [[nodiscard]] static QList<qint64> liveUids();
    /// A pidfd of the process, or an invalid one when it is gone or is not the one that started at `startTime`.
    [[nodiscard]] static UniqueFd exactPidfd(qint64 pid, quint64 startTime);
    /// Sends `signal` through a pidfd (see exactPidfd); false when it is gone or not the same process.
    static bool signalExact(qint64 pid, quint64 startTime, int signal);
    /// Waits (blocking, polling) until every process is gone; false after `timeoutMs`.
    [[nodiscard]] static bool waitUntilGone(const QList<Stat> &processes, int timeoutMs);
};

} // namespace hive::engine
