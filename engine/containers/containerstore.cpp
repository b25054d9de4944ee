// SPDX-License-Identifier: MIT
#include "containerstore.h"

#include "store/database.h"
#include "store/row.h"

#include <algorithm>

namespace hive::engine {

namespace {

const QString Columns =
    QStringLiteral("agent, backend, state, uid_base, uid_count, network, memory_max, cpu_quota, pid, pid_start_time, "
                   "started_at, crashes, last_error");

/// nspawn's --private-users=pick hands out ranges up to here; ours stay below.
constexpr qint64 UidLimit = 0x6FFF0000LL;

Result<ContainerRecord> readContainer(const QSqlQuery &query)
{
    Row row(query);
    ContainerRecord record;
    record.agent = row.text("agent");
    record.backend = row.text("backend");
    record.state = row.text("state");
    record.uidBase = static_cast<quint32>(row.integer("uid_base"));
    record.uidCount = static_cast<quint32>(row.integer("uid_count"));
    record.network = row.text("network");
    record.memoryMax = row.text("memory_max");
    record.cpuQuota = row.text("cpu_quota");
    const auto pid = row.optionalText("pid");
    const auto startTime = row.optionalText("pid_start_time");
    if (pid && startTime)
        record.process = ContainerProcess{pid->toLongLong(), startTime->toULongLong()};
    record.startedAt = row.optionalTime("started_at");
    record.crashes = row.integer("crashes");
    record.lastError = row.optionalText("last_error");
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading the container of '%1'").arg(record.agent)));
    return record;
}

Result<void> written(const Result<Database::Written> &result)
{
    if (!result)
        return fail(result.error());
    return {};
}

} // namespace

Result<std::optional<ContainerRecord>> ContainerStore::find(const QString &agent)
{
    std::optional<ContainerRecord> found;
    auto read = m_db.select(QStringLiteral("SELECT %1 FROM containers WHERE agent = :agent").arg(Columns),
                            {{QStringLiteral(":agent"), agent}}, [&](const QSqlQuery &query) -> Result<void> {
                                auto record = readContainer(query);
                                if (!record)
                                    return fail(record.error());
                                found = std::move(*record);
                                return {};
                            });
    if (!read)
        return fail(read.error());
    return found;
}

Result<QList<ContainerRecord>> ContainerStore::list()
{
    QList<ContainerRecord> records;
    auto read = m_db.select(QStringLiteral("SELECT %1 FROM containers ORDER BY agent").arg(Columns), {},
                            [&](const QSqlQuery &query) -> Result<void> {
                                auto record = readContainer(query);
                                if (!record)
                                    return fail(record.error());
                                records.append(std::move(*record));
                                return {};
                            });
    if (!read)
        return fail(read.error());
    return records;
}

Result<quint32> ContainerStore::allocateUidBase(quint32 first, quint32 count, const QList<qint64> &hostUids)
{
    QList<qint64> used;
    auto read = m_db.select(QStringLiteral("SELECT uid_base FROM containers ORDER BY uid_base"), {},
                            [&](const QSqlQuery &query) {
                                used << query.value(0).toLongLong();
                                return Result<void>();
                            });
    if (!read)
        return fail(read.error());
    // Ranges start at `first` plus a multiple of `count`; a uid in use on the host (another engine's
    // container, say) takes the whole range it falls in.
    QList<std::pair<qint64, qint64>> taken; // [start, end), sorted by start
    for (qint64 base : std::as_const(used))
        taken.append({base, base + count});
    for (qint64 uid : hostUids) {
        if (uid >= first) {
            const qint64 start = first + (uid - first) / count * count;
            taken.append({start, start + count});
        }
    }
    std::sort(taken.begin(), taken.end());
    qint64 candidate = first;
    for (const auto &[start, end] : std::as_const(taken)) {
        if (end <= candidate)
            continue;
        if (start >= candidate + count)
            break;
        candidate = end;
    }
    if (candidate + count > UidLimit)
        return fail(ErrorCode::Unavailable, QStringLiteral("no free uid range is left for another container"));
    return static_cast<quint32>(candidate);
}

Result<void> ContainerStore::insert(const ContainerRecord &record, const QDateTime &now)
{
    return written(m_db.write(
        QStringLiteral("INSERT INTO containers (agent, backend, state, uid_base, uid_count, network, memory_max, "
                       "cpu_quota, created_at) VALUES (:agent, :backend, 'stopped', :base, :count, :network, :memory, "
                       ":cpu, :now)"),
        {{QStringLiteral(":agent"), record.agent},
         {QStringLiteral(":backend"), record.backend},
         {QStringLiteral(":base"), static_cast<qint64>(record.uidBase)},
         {QStringLiteral(":count"), static_cast<qint64>(record.uidCount)},
         {QStringLiteral(":network"), record.network},
         {QStringLiteral(":memory"), record.memoryMax},
         {QStringLiteral(":cpu"), record.cpuQuota},
         {QStringLiteral(":now"), toDbTime(now)}}));
}

Result<void> ContainerStore::setSettings(const QString &agent, const QString &network, const QString &memoryMax,
                                         const QString &cpuQuota)
{
    return written(
        m_db.write(QStringLiteral("UPDATE containers SET network = :network, memory_max = :memory, cpu_quota = :cpu "
                                  "WHERE agent = :agent"),
                   {{QStringLiteral(":network"), network},
                    {QStringLiteral(":memory"), memoryMax},
                    {QStringLiteral(":cpu"), cpuQuota},
                    {QStringLiteral(":agent"), agent}}));
}

Result<void> ContainerStore::remove(const QString &agent)
{
    return written(
        m_db.write(QStringLiteral("DELETE FROM containers WHERE agent = :agent"), {{QStringLiteral(":agent"), agent}}));
}

Result<void> ContainerStore::setState(const QString &agent, const QString &state)
{
    return written(m_db.write(QStringLiteral("UPDATE containers SET state = :state WHERE agent = :agent"),
                              {{QStringLiteral(":agent"), agent}, {QStringLiteral(":state"), state}}));
}

Result<void> ContainerStore::setStarted(const QString &agent, const ContainerProcess &process, const QDateTime &now,
                                        bool resetCrashes)
{
    return written(m_db.write(
        QStringLiteral("UPDATE containers SET pid = :pid, pid_start_time = :start, started_at = :now, last_error = "
                       "NULL, crashes = CASE WHEN :reset THEN 0 ELSE crashes END WHERE agent = :agent"),
        {{QStringLiteral(":agent"), agent},
         {QStringLiteral(":pid"), process.pid},
         {QStringLiteral(":start"), static_cast<qint64>(process.startTime)},
         {QStringLiteral(":now"), toDbTime(now)},
         {QStringLiteral(":reset"), resetCrashes ? 1 : 0}}));
}

Result<void> ContainerStore::setExited(const QString &agent, const QDateTime &now, const std::optional<QString> &error)
{
    return written(m_db.write(
        QStringLiteral("UPDATE containers SET pid = NULL, pid_start_time = NULL, stopped_at = :now, last_error = "
                       "COALESCE(:error, last_error) WHERE agent = :agent"),
        {{QStringLiteral(":agent"), agent},
         {QStringLiteral(":now"), toDbTime(now)},
         {QStringLiteral(":error"), error ? QVariant(*error) : QVariant()}}));
}

Result<void> ContainerStore::setCrashed(const QString &agent, const QDateTime &now, const QString &why)
{
    return written(m_db.write(
        QStringLiteral("UPDATE containers SET pid = NULL, pid_start_time = NULL, stopped_at = :now, crashes = crashes "
                       "+ 1, last_error = :why WHERE agent = :agent"),
        {{QStringLiteral(":agent"), agent}, {QStringLiteral(":now"), toDbTime(now)}, {QStringLiteral(":why"), why}}));
}

} // namespace hive::engine
