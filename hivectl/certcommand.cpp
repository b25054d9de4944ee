// SPDX-License-Identifier: MIT
#include "certcommand.h"

#include "engineconnection.h"
#include "fingerprint.h"
#include "knownengines.h"
#include "protocol/methods.h"
#include "statepaths.h"
#include "terminal.h"

#include <QFile>
#include <QSslCertificate>

namespace hive::ctl {

CertCommand::CertCommand(const Invocation &invocation, Terminal &terminal)
    : m_invocation(invocation), m_terminal(terminal)
{}

int CertCommand::run()
{
    return m_invocation.isRemote() ? runRemote() : runLocal();
}

std::optional<QString> CertCommand::fromRunningEngine()
{
    // Any failure here only means "ask the file instead": no engine runs, or it is too old to say.
    EngineConnection connection(m_invocation, m_terminal);
    if (!connection.open(QString()))
        return std::nullopt;
    auto info = connection.call<protocol::EngineInfoMethod>(protocol::EngineInfoParams{});
    if (!info || info->tlsFingerprint.isEmpty())
        return std::nullopt;
    return info->tlsFingerprint;
}

Result<QString> CertCommand::fromFile() const
{
    const QString path = paths::tlsCertificate(m_invocation.stateDir);
    QFile file(path);
    if (!file.exists()) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("no engine runs on %1 and there is no certificate at %2 yet (hive-engine creates it "
                                   "on its first start)")
                        .arg(m_invocation.stateDir, path));
    }
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    QSslCertificate certificate(data, QSsl::Pem);
    if (certificate.isNull())
        certificate = QSslCertificate(data, QSsl::Der);
    if (certificate.isNull())
        return fail(ErrorCode::Tls, QStringLiteral("%1 holds no readable certificate").arg(path));
    return certificateFingerprint(certificate);
}

int CertCommand::runLocal()
{
    QString source = QStringLiteral("engine");
    std::optional<QString> fingerprint = fromRunningEngine();
    if (!fingerprint) {
        auto read = fromFile();
        if (!read)
            return m_terminal.fail(read.error().message, ExitCode::Local);
        fingerprint = *read;
        source = QStringLiteral("file");
    }
    if (m_terminal.json()) {
        QJsonObject result{{QStringLiteral("fingerprint"), *fingerprint}, {QStringLiteral("source"), source}};
        if (source == QLatin1String("file"))
            result.insert(QStringLiteral("path"), paths::tlsCertificate(m_invocation.stateDir));
        m_terminal.printJson(result);
    } else {
        m_terminal.printLine(*fingerprint);
    }
    return toInt(ExitCode::Ok);
}

int CertCommand::runRemote()
{
    EngineConnection connection(m_invocation, m_terminal);
    auto presented = connection.presentedFingerprint();
    if (!presented)
        return m_terminal.fail(presented.error().message, ExitCode::Local);

    const client::KnownEngines known;
    const auto pinned = known.find(m_invocation.engineKey());
    const std::optional<QString> pin = pinned ? *pinned : std::nullopt;

    if (m_terminal.json()) {
        m_terminal.printJson({{QStringLiteral("fingerprint"), *presented},
                              {QStringLiteral("source"), QStringLiteral("presented")},
                              {QStringLiteral("url"), m_invocation.url().toString()},
                              {QStringLiteral("verified"), false},
                              {QStringLiteral("pinned"), pin ? QJsonValue(*pin) : QJsonValue()}});
        return toInt(ExitCode::Ok);
    }
    m_terminal.printLine(*presented);
    QString note =
        QStringLiteral("note: this is the fingerprint %1 presented, unverified: compare it with 'hivectl cert "
                       "fingerprint' run on the engine's host before trusting it.\n")
            .arg(m_invocation.engineKey());
    if (pin && *pin == *presented)
        note += QStringLiteral("It matches the fingerprint pinned for %1.\n").arg(m_invocation.engineKey());
    else if (pin)
        note += QStringLiteral("It is NOT the fingerprint pinned for %1 (%2).\n").arg(m_invocation.engineKey(), *pin);
    m_terminal.note(note);
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
