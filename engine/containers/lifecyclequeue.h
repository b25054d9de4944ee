// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/containers.h"
#include "result.h"

#include <QObject>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace hive::engine {

/// One lifecycle operation as the queue knows it. Two jobs that compare equal are the same
/// operation: the second joins the first instead of running again.
struct LifecycleJob {
    protocol::LifecycleOp op = protocol::LifecycleOp::Start;
    QString agent;
    std::optional<protocol::AgentSpawnParams> spawn; ///< agent_spawn's settings
    bool byOperator = true;                          ///< false for the crash watch's automatic restarts

    friend bool operator==(const LifecycleJob &, const LifecycleJob &) = default;
};

/// The one serialised queue of AgentLifecycle: jobs run one at a time, in the order they came,
/// each by the runner, which calls its `finish` once (now or later). A job equal to one queued or
/// running joins it: every caller gets the same outcome. stepped() reports each job's start and
/// end; the next job starts from the event loop, never inside the previous one's callers.
class LifecycleQueue : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Result<void> &)>;
    using Runner = std::function<void(const LifecycleJob &job, Done finish)>;

    explicit LifecycleQueue(Runner runner, QObject *parent = nullptr);
    ~LifecycleQueue() override;

    void enqueue(LifecycleJob job, Done done);
    /// Jobs waiting, the running one included.
    [[nodiscard]] qsizetype size() const { return static_cast<qsizetype>(m_jobs.size()); }
    /// The running job, if any.
    [[nodiscard]] const LifecycleJob *current() const;

Q_SIGNALS:
    /// "started", "done" or "failed: <message>"; `queued` counts the running job at "started" only.
    void stepped(const hive::engine::LifecycleJob &job, const QString &step, qsizetype queued);

private:
    struct Entry {
        LifecycleJob job;
        std::vector<Done> waiters;
    };
    void runNext();
    void finish(const Result<void> &result);

    Runner m_runner;
    std::deque<Entry> m_jobs; ///< the front one runs
    bool m_running = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); ///< for finishes that outlive us
};

} // namespace hive::engine
