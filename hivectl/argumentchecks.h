// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QHash>
#include <QStringList>

#include <optional>

/// What the parts of hivectl's command line (commandline.cpp, agentarguments.cpp,
/// threadarguments.cpp) share: usage errors and the checks of words and option values.
namespace hive::ctl::args {

/// A usage error: `message` and a pointer to --help.
[[nodiscard]] Unexpected usage(const QString &message);
/// The value of option --NAME as a whole number from `min` to `max`.
[[nodiscard]] Result<qint64> integerOption(const QHash<QString, QString> &options, const QString &name, qint64 min,
                                           qint64 max);
/// Exactly `count` words, or a usage error that shows `usageLine`.
[[nodiscard]] Result<void> expectWords(const QStringList &words, qsizetype count, const QString &usageLine);
/// The word at `index` as a positive id.
[[nodiscard]] Result<qint64> idWord(const QStringList &words, qsizetype index, const QString &usageLine);
/// --agent, --limit and --before of the list commands.
[[nodiscard]] Result<void> listOptions(const QHash<QString, QString> &options, std::optional<QString> &agent,
                                       int &limit, int maxLimit, std::optional<qint64> &before);

} // namespace hive::ctl::args
