// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QString>

#include <optional>

namespace hive::client {

/// Pinned engine certificate fingerprints, shared by hivectl and the console:
/// $XDG_CONFIG_HOME/hyperhive/known_engines, one "host:port SHA256-FINGERPRINT" per line
/// ('#' starts a comment). Like ssh's known_hosts, a changed fingerprint is never accepted
/// silently: the entry must be removed by hand.
class KnownEngines
{
public:
    explicit KnownEngines(QString path = defaultPath());

    [[nodiscard]] static QString defaultPath();
    /// "host:port" as used for entries; default port 7443.
    [[nodiscard]] static QString key(const QString &host, int port);

    [[nodiscard]] Result<std::optional<QString>> find(const QString &key) const;
    /// Adds or replaces the entry, writing the file atomically (0600, directory 0700).
    [[nodiscard]] Result<void> pin(const QString &key, const QString &fingerprint);
    [[nodiscard]] const QString &path() const { return m_path; }

private:
    QString m_path;
};

} // namespace hive::client
