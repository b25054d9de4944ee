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

/// Runs hivectl with `arguments`, stdin a pipe (never a terminal) that carries `input` and then
/// ends, HIVE_TOKEN set to `token` or removed; kills it after `timeoutMs`.
[[nodiscard]] HivectlRun runHivectl(const QStringList &arguments, const QString &token = {}, int timeoutMs = 60 * 1000,
                                    const QByteArray &input = {});

/// `text` as one JSON object; on failure an empty object and `error` says why (with the text).
[[nodiscard]] QJsonObject parseObject(const QString &text, QString *error);

} // namespace hive::test
