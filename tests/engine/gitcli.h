// SPDX-License-Identifier: MIT
// The stock git CLI, which the GitRepo tests use to check that what libgit2 wrote is plain git.
#pragma once

#include "configrepo/gitrepo.h"

#include <QProcess>
#include <QTest>

namespace hive::test {

struct GitRun {
    int exitCode = -1;
    QString out; ///< stdout without surrounding white space
    QString err;
};

/// `git -C dir ARGS`, without the system or the user's git configuration.
inline GitRun runGit(const QString &dir, const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    env.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("cli"));
    env.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("cli@example.invalid"));
    env.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("cli"));
    env.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("cli@example.invalid"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("git"), QStringList{QStringLiteral("-C"), dir} + args);
    GitRun run;
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit) {
        run.err = QStringLiteral("git %1 did not finish").arg(args.join(QLatin1Char(' ')));
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    run.err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    return run;
}

/// A signature at a fixed time (seconds since the epoch, UTC).
inline engine::GitSignature signatureAt(qint64 seconds, const QString &name = QStringLiteral("Ada"))
{
    engine::GitSignature signature;
    signature.name = name;
    signature.email = name.toLower() + QStringLiteral("@example.invalid");
    signature.when = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
    return signature;
}

} // namespace hive::test

/// The git command succeeded; else its stderr is printed.
#define VERIFY_GIT(run)                                                                                                \
    do {                                                                                                               \
        const hive::test::GitRun &ran = (run);                                                                         \
        QVERIFY2(ran.exitCode == 0, qPrintable(ran.err));                                                              \
    } while (false)
