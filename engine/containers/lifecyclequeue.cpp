// SPDX-License-Identifier: MIT
#include "lifecyclequeue.h"

#include <QLoggingCategory>
#include <QTimer>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcQueue, "hive.containers")
}

LifecycleQueue::LifecycleQueue(Runner runner, QObject *parent) : QObject(parent), m_runner(std::move(runner)) {}

LifecycleQueue::~LifecycleQueue()
{
    *m_alive = false;
}

void LifecycleQueue::enqueue(LifecycleJob job, Done done)
{
    for (Entry &existing : m_jobs) {
        if (existing.job == job) {
            // The same operation is queued or running already: its result answers this call too.
            existing.waiters.push_back(std::move(done));
            return;
        }
    }
    m_jobs.push_back(Entry{std::move(job), {std::move(done)}});
    if (!m_running)
        runNext();
}

const LifecycleJob *LifecycleQueue::current() const
{
    return m_running ? &m_jobs.front().job : nullptr;
}

void LifecycleQueue::runNext()
{
    if (m_running || m_jobs.empty())
        return;
    m_running = true;
    Q_EMIT stepped(m_jobs.front().job, QStringLiteral("started"), size());
    m_runner(m_jobs.front().job, [this, alive = std::weak_ptr<bool>(m_alive)](const Result<void> &result) {
        if (alive.lock())
            finish(result);
    });
}

void LifecycleQueue::finish(const Result<void> &result)
{
    Entry entry = std::move(m_jobs.front());
    m_jobs.pop_front();
    m_running = false;
    if (!result) {
        qCWarning(lcQueue).noquote() << protocol::lifecycleOpName(entry.job.op) << entry.job.agent
                                     << "failed:" << result.error().message;
    }
    Q_EMIT stepped(entry.job, result ? QStringLiteral("done") : QStringLiteral("failed: ") + result.error().message,
                   size());
    for (const Done &waiter : entry.waiters)
        waiter(result);
    // The next operation starts from the event loop, not inside the callers' stack.
    QTimer::singleShot(0, this, [this] { runNext(); });
}

} // namespace hive::engine
