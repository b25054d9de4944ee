// SPDX-License-Identifier: MIT
#include "auditlog.h"

#include "clock.h"
#include "database.h"
#include "row.h"
#include "transaction.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace hive::engine {

namespace {

constexpr qsizetype MaxSummaryString = 256;

bool isSecretKey(const QString &key)
{
    static const QLatin1String secretWords[] = {QLatin1String("token"), QLatin1String("secret"),
                                                QLatin1String("password"), QLatin1String("key"),
                                                QLatin1String("credential")};
    for (const auto &word : secretWords) {
        if (key.contains(word, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

QJsonValue summarizeValue(const QJsonValue &value)
{
    if (value.isString()) {
        const QString s = value.toString();
        return s.size() > MaxSummaryString ? QJsonValue(s.left(MaxSummaryString) + QStringLiteral("…")) : value;
    }
    if (value.isObject())
        return AuditLog::summarize(value.toObject());
    if (value.isArray()) {
        QJsonArray out;
        const QJsonArray array = value.toArray();
        for (const auto &item : array)
            out.append(summarizeValue(item));
        return out;
    }
    return value;
}

protocol::AuditEntry readEntry(Row &row)
{
    protocol::AuditEntry entry;
    entry.id = row.integer("id");
    entry.ts = row.time("ts");
    entry.tokenName = row.text("token_name");
    entry.role = row.text("role");
    entry.method = row.text("method");
    entry.params = QJsonDocument::fromJson(row.text("params").toUtf8()).object();
    entry.result = row.text("result");
    entry.message = row.text("message");
    entry.prevHash = row.text("prev_hash");
    entry.hash = row.text("hash");
    return entry;
}

} // namespace

AuditLog::AuditLog(Database &db, const Clock &clock) : m_db(db), m_clock(clock) {}

QJsonObject AuditLog::summarize(const QJsonObject &params)
{
    QJsonObject out;
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        if (isSecretKey(it.key()) && !it.value().isNull())
            out.insert(it.key(), QStringLiteral("[redacted]"));
        else
            out.insert(it.key(), summarizeValue(it.value()));
    }
    return out;
}

QString AuditLog::rowHash(const QString &prevHash, qint64 id, qint64 tsMs, const QString &tokenName,
                          const QString &role, const QString &method, const QString &params, const QString &result,
                          const QString &message)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QStringList fields{
        prevHash, QString::number(id), QString::number(tsMs), tokenName, role, method, params, result, message};
    // Length-prefix each field so that no two different rows hash the same input.
    for (const QString &field : fields) {
        const QByteArray bytes = field.toUtf8();
        hash.addData(QByteArray::number(bytes.size()));
        hash.addData(QByteArrayView(":"));
        hash.addData(bytes);
        hash.addData(QByteArrayView("\n"));
    }
    return QString::fromLatin1(hash.result().toHex());
}

Result<protocol::AuditEntry> AuditLog::append(const Call &call)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto last = m_db.exec(QStringLiteral("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"));
    if (!last)
        return fail(last.error());
    QString prevHash = QString::fromLatin1(GenesisHash);
    qint64 id = 1;
    if (last->next()) {
        Row row(*last);
        id = row.integer("id") + 1;
        prevHash = row.text("hash");
        if (auto status = row.status(); !status)
            return fail(status.error());
    }
    last->finish();

    protocol::AuditEntry entry;
    entry.id = id;
    entry.ts = m_clock.now();
    entry.tokenName = call.tokenName;
    entry.role = call.role;
    entry.method = call.method;
    entry.params = summarize(call.params);
    entry.result = call.result;
    entry.message = call.message;
    entry.prevHash = prevHash;
    const QString paramsText = QString::fromUtf8(QJsonDocument(entry.params).toJson(QJsonDocument::Compact));
    const qint64 tsMs = toDbTime(entry.ts);
    entry.hash =
        rowHash(prevHash, id, tsMs, entry.tokenName, entry.role, entry.method, paramsText, entry.result, entry.message);

    auto inserted = m_db.exec(
        QStringLiteral("INSERT INTO audit_log (id, ts, token_name, role, method, params, result, message, prev_hash, "
                       "hash) VALUES (:id, :ts, :token, :role, :method, :params, :result, :message, :prev, :hash)"),
        {{QStringLiteral(":id"), id},
         {QStringLiteral(":ts"), tsMs},
         {QStringLiteral(":token"), entry.tokenName},
         {QStringLiteral(":role"), entry.role},
         {QStringLiteral(":method"), entry.method},
         {QStringLiteral(":params"), paramsText},
         {QStringLiteral(":result"), entry.result},
         {QStringLiteral(":message"), entry.message},
         {QStringLiteral(":prev"), prevHash},
         {QStringLiteral(":hash"), entry.hash}});
    if (!inserted)
        return fail(inserted.error());
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    return entry;
}

Result<protocol::AuditListResult> AuditLog::list(const protocol::AuditListParams &params)
{
    QString sql = QStringLiteral("SELECT id, ts, token_name, role, method, params, result, message, prev_hash, hash "
                                 "FROM audit_log WHERE 1 = 1");
    Bindings bindings;
    if (params.beforeId) {
        sql += QStringLiteral(" AND id < :before");
        bindings.emplace_back(QStringLiteral(":before"), *params.beforeId);
    }
    if (params.tokenName) {
        sql += QStringLiteral(" AND token_name = :token");
        bindings.emplace_back(QStringLiteral(":token"), *params.tokenName);
    }
    if (params.method) {
        sql += QStringLiteral(" AND method = :method");
        bindings.emplace_back(QStringLiteral(":method"), *params.method);
    }
    // One row more than asked tells whether there is another page.
    sql += QStringLiteral(" ORDER BY id DESC LIMIT :limit");
    bindings.emplace_back(QStringLiteral(":limit"), params.limit + 1);
    auto query = m_db.exec(sql, bindings);
    if (!query)
        return fail(query.error());
    protocol::AuditListResult result;
    while (query->next()) {
        if (result.entries.size() == params.limit) {
            result.hasMore = true;
            break;
        }
        Row row(*query);
        auto entry = readEntry(row);
        if (auto status = row.status(); !status)
            return fail(status.error().wrapped(QStringLiteral("reading audit row")));
        result.entries.append(std::move(entry));
    }
    return result;
}

Result<protocol::AuditVerifyResult> AuditLog::verify()
{
    auto query = m_db.exec(QStringLiteral("SELECT id, ts, token_name, role, method, params, result, message, "
                                          "prev_hash, hash FROM audit_log ORDER BY id ASC"));
    if (!query)
        return fail(query.error());
    protocol::AuditVerifyResult result;
    QString expectedPrev = QString::fromLatin1(GenesisHash);
    qint64 expectedId = 0;
    while (query->next()) {
        Row row(*query);
        const qint64 id = row.integer("id");
        const qint64 ts = row.integer("ts");
        const QString prev = row.text("prev_hash");
        const QString hash = row.text("hash");
        const QString computed = rowHash(prev, id, ts, row.text("token_name"), row.text("role"), row.text("method"),
                                         row.text("params"), row.text("result"), row.text("message"));
        if (auto status = row.status(); !status)
            return fail(status.error().wrapped(QStringLiteral("reading audit row")));
        ++result.checked;
        QString problem;
        if (expectedId != 0 && id != expectedId + 1)
            problem = QStringLiteral("rows %1 to %2 are missing").arg(expectedId + 1).arg(id - 1);
        else if (prev != expectedPrev)
            problem = QStringLiteral("prev_hash does not match the hash of the row before it");
        else if (computed != hash)
            problem = QStringLiteral("the row's contents do not match its hash (edited after it was written)");
        if (!problem.isEmpty()) {
            result.ok = false;
            result.firstBadId = id;
            result.problem = problem;
            return result;
        }
        expectedPrev = hash;
        expectedId = id;
    }
    return result;
}

Result<qint64> AuditLog::count()
{
    return m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log"));
}

} // namespace hive::engine
