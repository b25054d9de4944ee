// SPDX-License-Identifier: MIT
#include "argumentchecks.h"

#include <limits>

namespace hive::ctl::args {

Unexpected usage(const QString &message)
{
    return fail(ErrorCode::InvalidParams, message + QStringLiteral(" (see hivectl --help)"));
}

Result<qint64> integerOption(const QHash<QString, QString> &options, const QString &name, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = options.value(name).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        return usage(QStringLiteral("option --%1: expected a whole number from %2 to %3, got '%4'")
                         .arg(name)
                         .arg(min)
                         .arg(max)
                         .arg(options.value(name)));
    }
    return value;
}

Result<void> expectWords(const QStringList &words, qsizetype count, const QString &usageLine)
{
    if (words.size() < count)
        return usage(QStringLiteral("missing argument: hivectl %1").arg(usageLine));
    if (words.size() > count)
        return usage(QStringLiteral("unexpected argument '%1': hivectl %2").arg(words.at(count), usageLine));
    return {};
}

Result<qint64> idWord(const QStringList &words, qsizetype index, const QString &usageLine)
{
    if (words.size() <= index)
        return usage(QStringLiteral("missing argument: hivectl %1").arg(usageLine));
    bool ok = false;
    const qint64 id = words.at(index).toLongLong(&ok);
    if (!ok || id <= 0)
        return usage(
            QStringLiteral("'%1' is not an id (a positive integer): hivectl %2").arg(words.at(index), usageLine));
    return id;
}

Result<void> listOptions(const QHash<QString, QString> &options, std::optional<QString> &agent, int &limit,
                         int maxLimit, std::optional<qint64> &before)
{
    if (options.contains(QStringLiteral("agent"))) {
        agent = options.value(QStringLiteral("agent"));
        if (agent->isEmpty())
            return usage(QStringLiteral("option --agent must not be empty"));
    }
    if (options.contains(QStringLiteral("limit"))) {
        auto parsed = integerOption(options, QStringLiteral("limit"), 1, maxLimit);
        if (!parsed)
            return fail(parsed.error());
        limit = static_cast<int>(*parsed);
    }
    if (options.contains(QStringLiteral("before"))) {
        auto parsed = integerOption(options, QStringLiteral("before"), 1, std::numeric_limits<qint64>::max());
        if (!parsed)
            return fail(parsed.error());
        before = *parsed;
    }
    return {};
}

} // namespace hive::ctl::args
