// SPDX-License-Identifier: MIT
#include "hivectlrun.h"

#include "testsupport.h"

#include <QJsonDocument>
#include <QProcess>

namespace hive::test {

QString HivectlRun::describe() const
{
    return QStringLiteral("exit %1%2\n--- stdout:\n%3\n--- stderr:\n%4")
        .arg(exitCode)
        .arg(finished ? QString() : QStringLiteral(" (did not finish; killed)"), out, err);
}

HivectlRun runHivectl(const QStringList &arguments, const QString &token, int timeoutMs, const QByteArray &input)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("HIVE_TOKEN"));
    if (!token.isEmpty())
        env.insert(QStringLiteral("HIVE_TOKEN"), token);
    process.setProcessEnvironment(env);
    process.start(binaryPath(QStringLiteral("hivectl")), arguments);
    // stdin is a pipe that ends after `input`: never a terminal, so hivectl must not ask anything.
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    HivectlRun run;
    run.finished = process.waitForFinished(timeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QJsonObject parseObject(const QString &text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("not a JSON object (%1): %2").arg(parseError.errorString(), text);
        return {};
    }
    return doc.object();
}

} // namespace hive::test
