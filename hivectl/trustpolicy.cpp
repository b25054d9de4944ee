// SPDX-License-Identifier: MIT
#include "trustpolicy.h"

namespace hive::ctl {

namespace {

const QString CheckHint = QStringLiteral("Check it on the engine's host with 'hivectl cert fingerprint' or "
                                         "'hive-engine --print-fingerprint'.");

} // namespace

TrustPolicy::TrustPolicy(client::KnownEngines known, QString key, std::optional<QString> expected, bool interactive)
    : m_known(std::move(known)), m_key(std::move(key)), m_expected(std::move(expected)), m_interactive(interactive)
{}

TrustPolicy::Decision TrustPolicy::decide(const QString &presented, QString *message)
{
    auto pinned = m_known.find(m_key);
    if (!pinned) {
        *message = QStringLiteral("cannot check the engine's certificate: %1").arg(pinned.error().message);
        return Decision::Refuse;
    }
    if (*pinned) {
        if (**pinned == presented)
            return Decision::Trust;
        *message = changedWarning(m_key, **pinned, presented, m_known.path());
        return Decision::Refuse;
    }

    if (m_expected) {
        if (*m_expected != presented) {
            *message = QStringLiteral("%1 presented a certificate that is not the one given with --trust-fingerprint; "
                                      "nothing was sent and nothing pinned.\n"
                                      "  expected (--trust-fingerprint): %2\n"
                                      "  presented by the engine:        %3\n"
                                      "%4")
                           .arg(m_key, *m_expected, presented, CheckHint);
            return Decision::Refuse;
        }
        if (auto pinnedNow = pin(presented); !pinnedNow) {
            *message = QStringLiteral("cannot pin the engine's certificate: %1").arg(pinnedNow.error().message);
            return Decision::Refuse;
        }
        return Decision::Trust;
    }

    if (m_interactive) {
        *message = QStringLiteral("The engine %1 is not known yet. Its TLS certificate has the SHA-256 fingerprint\n"
                                  "  %2\n"
                                  "%3\n")
                       .arg(m_key, presented, CheckHint);
        return Decision::Ask;
    }
    *message = QStringLiteral("the engine %1 is not known yet and stdin is not a terminal to ask; nothing was sent.\n"
                              "It presented the certificate with the SHA-256 fingerprint\n"
                              "  %2\n"
                              "%3 If it is the same, re-run with\n"
                              "  --trust-fingerprint %2\n"
                              "to trust and pin it.")
                   .arg(m_key, presented, CheckHint);
    return Decision::Refuse;
}

Result<void> TrustPolicy::pin(const QString &fingerprint)
{
    return m_known.pin(m_key, fingerprint);
}

QString TrustPolicy::changedWarning(const QString &key, const QString &pinned, const QString &presented,
                                    const QString &knownEnginesPath)
{
    const QString bar(64, QLatin1Char('@'));
    return QStringLiteral("WARNING: THE ENGINE'S CERTIFICATE HAS CHANGED!\n"
                          "%1\n"
                          "The engine at %2 presented a TLS certificate other than the one pinned for it.\n"
                          "Someone could be intercepting the connection right now (a man-in-the-middle attack),\n"
                          "or the engine's certificate was regenerated (for example its state dir's tls/ was\n"
                          "removed, or a new certificate was configured).\n"
                          "  pinned fingerprint:    %3\n"
                          "  presented fingerprint: %4\n"
                          "hivectl refused the connection; nothing was sent.\n"
                          "If the change is expected, check the new fingerprint on the engine's host ('hivectl cert\n"
                          "fingerprint' or 'hive-engine --print-fingerprint'), then remove the line for %2 from\n"
                          "  %5\n"
                          "and connect again.\n"
                          "%1")
        .arg(bar, key, pinned, presented, knownEnginesPath);
}

} // namespace hive::ctl
