// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace hive::test {

/// One finished run of the built hivectl.
struct HivectlRun {
    bool finished = false;
    int exitCode = -1; ///< -1 when it crashed or was killed
    QString out;
    QString err;

    /// Exit code and both streams, for failure messages.
    [[nodiscard]] QString describe() const;
};

/// Runs hivectl with `arguments`, stdin at EOF (never a terminal), HIVE_TOKEN set to `token` or
/// removed; kills it after `timeoutMs`.
[[nodiscard]] HivectlRun runHivectl(const QStringList &arguments, const QString &token = {}, int timeoutMs = 60 * 1000);

/// `text` as one JSON object; on failure an empty object and `error` says why (with the text).
[[nodiscard]] QJsonObject parseObject(const QString &text, QString *error);

} // namespace hive::test
