// SPDX-License-Identifier: MIT
#include "version.h"

#include <QRegularExpression>

namespace hive::protocol {

QStringList features()
{
    return {QStringLiteral("tokens"),    QStringLiteral("audit_chain"), QStringLiteral("events_replay"),
            QStringLiteral("messages"),  QStringLiteral("threads"),     QStringLiteral("containers"),
            QStringLiteral("terminals"), QStringLiteral("approvals"),   QStringLiteral("harness"),
            QStringLiteral("telemetry")};
}

int majorOf(const QString &version)
{
    static const QRegularExpression semver(QStringLiteral(R"(^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$)"));
    const auto match = semver.match(version);
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

} // namespace hive::protocol
