// SPDX-License-Identifier: MIT
#include "unifieddiff.h"

namespace hive::ctl {

namespace {

QString side(const QString &prefix, const QString &path)
{
    return path.isEmpty() ? QStringLiteral("/dev/null") : prefix + path;
}

} // namespace

QString unifiedDiff(const QList<protocol::FileDiff> &files)
{
    QString text;
    for (const protocol::FileDiff &file : files) {
        // A side that does not exist is named after the other, as git does.
        const QString oldName = file.oldPath.isEmpty() ? file.newPath : file.oldPath;
        const QString newName = file.newPath.isEmpty() ? file.oldPath : file.newPath;
        text += QStringLiteral("diff --git a/%1 b/%2\n").arg(oldName, newName);
        if (file.status == QLatin1String("added"))
            text += QStringLiteral("new file\n");
        else if (file.status == QLatin1String("deleted"))
            text += QStringLiteral("deleted file\n");
        else if (file.status == QLatin1String("renamed"))
            text += QStringLiteral("rename from %1\nrename to %2\n").arg(file.oldPath, file.newPath);
        else if (file.status == QLatin1String("typechange"))
            text += QStringLiteral("type changed\n");
        if (file.binary) {
            text += QStringLiteral("Binary files %1 and %2 differ\n")
                        .arg(side(QStringLiteral("a/"), file.oldPath), side(QStringLiteral("b/"), file.newPath));
            continue;
        }
        if (file.hunks.isEmpty())
            continue; // a pure rename, or an empty file added
        text += QStringLiteral("--- %1\n+++ %2\n")
                    .arg(side(QStringLiteral("a/"), file.oldPath), side(QStringLiteral("b/"), file.newPath));
        for (const protocol::DiffHunk &hunk : file.hunks) {
            text += hunk.header + QLatin1Char('\n');
            for (const QString &line : hunk.lines)
                text += line + QLatin1Char('\n');
        }
    }
    return text;
}

} // namespace hive::ctl
