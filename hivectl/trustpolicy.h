// SPDX-License-Identifier: MIT
#pragma once

#include "knownengines.h"

#include <QString>

#include <optional>

namespace hive::ctl {

/// Decides whether to go on with the certificate a remote engine presented, the way ssh treats
/// host keys: a pinned fingerprint must match exactly; an unknown engine is trusted only by an
/// explicit --trust-fingerprint or by the user's answer at a terminal, and then pinned.
class TrustPolicy
{
public:
    enum class Decision {
        Trust,  ///< go on
        Ask,    ///< unknown engine and a terminal: ask the user (message holds what to show)
        Refuse, ///< message says why and what to do
    };

    /// `expected` is the canonical --trust-fingerprint; `interactive` whether stdin is a terminal.
    TrustPolicy(client::KnownEngines known, QString key, std::optional<QString> expected, bool interactive);

    /// Trusting a new engine because of --trust-fingerprint pins it on the spot.
    [[nodiscard]] Decision decide(const QString &presented, QString *message);
    /// Pins `fingerprint` for the engine (after the user said yes).
    [[nodiscard]] Result<void> pin(const QString &fingerprint);

    [[nodiscard]] const client::KnownEngines &knownEngines() const { return m_known; }

    /// The loud refusal for a pinned engine that now presents another certificate.
    [[nodiscard]] static QString changedWarning(const QString &key, const QString &pinned, const QString &presented,
                                                const QString &knownEnginesPath);

private:
    client::KnownEngines m_known;
    QString m_key;
    std::optional<QString> m_expected;
    bool m_interactive;
};

} // namespace hive::ctl
