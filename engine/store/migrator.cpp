// SPDX-License-Identifier: MIT
#include "migrator.h"

#include "database.h"
#include "row.h"
#include "transaction.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcMigrate, "hive.store")

const QString ResourceDir = QStringLiteral(":/hive/sql");

// Bookkeeping lives outside the numbered migrations so that migration 1 is recorded like any other.
const QString CreateBookkeeping = QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                                 " version INTEGER PRIMARY KEY,"
                                                 " name TEXT NOT NULL,"
                                                 " applied_at INTEGER NOT NULL)");

} // namespace

QList<std::pair<int, QString>> Migrator::migrations()
{
    static const QRegularExpression pattern(QStringLiteral(R"(^(\d{4})_[a-z0-9_]+\.sql$)"));
    QList<std::pair<int, QString>> list;
    const QStringList files = QDir(ResourceDir).entryList(QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto match = pattern.match(file);
        if (match.hasMatch())
            list.append({match.captured(1).toInt(), ResourceDir + QLatin1Char('/') + file});
    }
    return list;
}

int Migrator::latestVersion()
{
    const auto list = migrations();
    return list.isEmpty() ? 0 : list.last().first;
}

Result<int> Migrator::currentVersion(Database &db)
{
    auto exists = db.scalar(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                                           "'schema_migrations'"));
    if (!exists)
        return fail(exists.error());
    if (*exists == 0)
        return 0;
    auto version = db.scalar(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    if (!version)
        return fail(version.error());
    return static_cast<int>(*version);
}

QStringList Migrator::splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    bool inTrigger = false;
    const qsizetype n = script.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = script.at(i);
        if (c == QLatin1Char('-') && i + 1 < n && script.at(i + 1) == QLatin1Char('-')) {
            while (i < n && script.at(i) != QLatin1Char('\n'))
                ++i;
            current += QLatin1Char('\n');
            continue;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            current += c;
            for (++i; i < n; ++i) {
                current += script.at(i);
                if (script.at(i) == c)
                    break;
            }
            continue;
        }
        current += c;
        if (c != QLatin1Char(';'))
            continue;
        const QString trimmed = current.trimmed();
        if (!inTrigger && trimmed.startsWith(QLatin1String("CREATE TRIGGER"), Qt::CaseInsensitive))
            inTrigger = true;
        // Inside a trigger body, only "END;" closes the statement.
        static const QRegularExpression endOfTrigger(QStringLiteral(R"(\bEND\s*;$)"),
                                                     QRegularExpression::CaseInsensitiveOption);
        if (inTrigger && !endOfTrigger.match(trimmed).hasMatch())
            continue;
        inTrigger = false;
        QString statement = trimmed;
        statement.chop(1);
        if (!statement.trimmed().isEmpty())
            statements << statement.trimmed();
        current.clear();
    }
    if (!current.trimmed().isEmpty())
        statements << current.trimmed();
    return statements;
}

Result<int> Migrator::migrate(Database &db, int target)
{
    const int latest = latestVersion();
    if (target < 0)
        target = latest;
    if (auto created = db.exec(CreateBookkeeping); !created)
        return fail(created.error());
    auto current = currentVersion(db);
    if (!current)
        return fail(current.error());
    if (*current > latest) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("%1 has schema version %2, newer than this engine supports (%3): run a newer "
                                   "hive-engine or restore a backup")
                        .arg(db.path())
                        .arg(*current)
                        .arg(latest));
    }

    int version = *current;
    for (const auto &[number, resource] : migrations()) {
        if (number <= version || number > target)
            continue;
        QFile file(resource);
        if (!file.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Internal, QStringLiteral("cannot read migration %1").arg(resource));
        const QString script = QString::fromUtf8(file.readAll());
        const QString name = resource.section(QLatin1Char('/'), -1);

        Transaction tx(db);
        if (!tx.isActive())
            return fail(tx.beginError().wrapped(QStringLiteral("migration %1").arg(name)));
        const QStringList statements = splitStatements(script);
        for (const QString &statement : statements) {
            if (auto result = db.exec(statement); !result) {
                return fail(
                    result.error().wrapped(QStringLiteral("migration %1 failed; %2 is left at schema version %3")
                                               .arg(name, db.path())
                                               .arg(version)));
            }
        }
        auto recorded =
            db.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)"),
                    {{QStringLiteral(":v"), number},
                     {QStringLiteral(":n"), name},
                     {QStringLiteral(":t"), toDbTime(QDateTime::currentDateTimeUtc())}});
        if (!recorded)
            return fail(recorded.error());
        // user_version mirrors the schema version for tools such as the sqlite3 shell.
        if (auto pragma = db.exec(QStringLiteral("PRAGMA user_version = %1").arg(number)); !pragma)
            return fail(pragma.error());
        if (auto committed = tx.commit(); !committed)
            return fail(committed.error().wrapped(QStringLiteral("migration %1").arg(name)));
        qCInfo(lcMigrate).noquote() << "applied migration" << name << "to" << db.path();
        version = number;
    }
    return version;
}

} // namespace hive::engine
