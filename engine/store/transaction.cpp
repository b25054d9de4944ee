// SPDX-License-Identifier: MIT
#include "transaction.h"

#include "database.h"

#include <QLoggingCategory>
#include <QSqlError>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcTransaction, "hive.store")
}

Transaction::Transaction(Database &db) : m_db(db)
{
    auto begin = m_db.begin();
    if (begin)
        m_active = true;
    else
        m_beginError = begin.error();
}

Transaction::~Transaction()
{
    if (!m_active)
        return;
    auto rollback = m_db.rollback();
    if (!rollback)
        qCWarning(lcTransaction).noquote() << "rollback failed:" << rollback.error().message;
}

Result<void> Transaction::commit()
{
    if (!m_active)
        return fail(m_beginError.code == ErrorCode::Internal && m_beginError.message.isEmpty()
                        ? Error{ErrorCode::Internal, QStringLiteral("transaction already finished"), {}}
                        : m_beginError);
    auto result = m_db.commit();
    if (!result)
        return fail(result.error().wrapped(QStringLiteral("commit")));
    m_active = false;
    return {};
}

} // namespace hive::engine
