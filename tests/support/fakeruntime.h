// SPDX-License-Identifier: MIT
#pragma once

#include "containers/containerruntime.h"

#include <QDir>
#include <QHash>

#include <unistd.h>

namespace hive::test {

using engine::ContainerProcess;
using engine::ContainerRuntime;
using engine::ContainerSpec;

/// Processes that exist only in this map. exit() closes the write end of the pipe whose read
/// end exitNotifier() hands out, as a pidfd becomes readable when its process ends.
struct FakeWorld {
    struct Process {
        bool running = true;
        bool ignoresTerm = false;
        int pipe[2] = {-1, -1};
    };
    QHash<qint64, Process> processes;
    qint64 nextPid = 1000;
    int starts = 0;
    int prepares = 0;
    std::optional<QString> unavailable;
    std::optional<QString> failStart;
    bool ignoreTerm = false;
    /// What a terminal runs "inside": a plain shell on the host.
    QStringList shell = {QStringLiteral("/bin/sh"), QStringLiteral("-i")};
    /// The uids processes on the "host" run as.
    QList<qint64> hostUids;
    /// The spec each agent's container was last started with.
    QHash<QString, ContainerSpec> specs;

    void exit(qint64 pid)
    {
        auto &process = processes[pid];
        process.running = false;
        if (process.pipe[1] >= 0) {
            ::close(process.pipe[1]);
            process.pipe[1] = -1;
        }
    }
    ~FakeWorld()
    {
        for (auto &process : processes) {
            for (int fd : process.pipe) {
                if (fd >= 0)
                    ::close(fd);
            }
        }
    }
};

class FakeRuntime final : public ContainerRuntime
{
public:
    explicit FakeRuntime(FakeWorld &world) : m_world(world) {}
    QString name() const override { return QStringLiteral("fake"); }
    Result<void> available() const override
    {
        if (m_world.unavailable)
            return fail(ErrorCode::Unavailable, *m_world.unavailable);
        return {};
    }
    Result<void> prepare(const ContainerSpec &spec) override
    {
        ++m_world.prepares;
        // What the real runtime builds: the tree, so that purge has something to remove.
        QDir().mkpath(spec.rootDir + QStringLiteral("/etc"));
        return {};
    }
    Result<ContainerProcess> start(const ContainerSpec &spec) override
    {
        ++m_world.starts;
        m_world.specs.insert(spec.agent, spec);
        if (m_world.failStart)
            return fail(ErrorCode::Io, *m_world.failStart);
        const qint64 pid = m_world.nextPid++;
        FakeWorld::Process process;
        process.ignoresTerm = m_world.ignoreTerm;
        if (::pipe(process.pipe) != 0)
            return fail(ErrorCode::Io, QStringLiteral("pipe failed"));
        m_world.processes.insert(pid, process);
        return ContainerProcess{pid, 42};
    }
    bool isRunning(const ContainerProcess &process) const override
    {
        return m_world.processes.value(process.pid).running && process.startTime == 42;
    }
    std::optional<qint64> mainPid(const ContainerProcess &process) const override { return process.pid + 1; }
    Result<void> terminate(const ContainerProcess &process) override
    {
        if (!m_world.processes.value(process.pid).ignoresTerm)
            m_world.exit(process.pid);
        return {};
    }
    Result<void> kill(const ContainerProcess &process) override
    {
        m_world.exit(process.pid);
        return {};
    }
    int exitNotifier(const ContainerProcess &process) const override
    {
        const int fd = m_world.processes.value(process.pid).pipe[0];
        return fd >= 0 ? ::dup(fd) : -1;
    }
    QList<qint64> uidsInUse() const override { return m_world.hostUids; }
    Result<QStringList> shellCommand(const ContainerProcess &process) const override
    {
        if (!isRunning(process))
            return fail(ErrorCode::Unavailable, QStringLiteral("the fake container is not running"));
        return m_world.shell;
    }

private:
    FakeWorld &m_world;
};

} // namespace hive::test
