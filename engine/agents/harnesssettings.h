// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace hive::engine {

/// engine.conf's [harness]: how every agent's harness runs the agent CLI (the agent `config`
/// call hands it out; resources/engine.conf documents each key).
struct HarnessSettings {
    QString cli = QStringLiteral("/usr/local/lib/hyperhive/agent-cli/claude"); ///< harness.cli, a container path
    QStringList cliArgs;                                                       ///< harness.cli_args
    QMap<QString, QString> env;       ///< harness.env; "{agent}" in a value becomes the agent's name
    QString apiKeyFile;               ///< harness.api_key_file; empty = none (absolute once loaded)
    QString defaultModel;             ///< harness.default_model; empty = the agent CLI's own default
    int turnTimeoutSeconds = 1800;    ///< harness.turn_timeout_seconds
    int rateLimitRetrySeconds = 60;   ///< harness.rate_limit_retry_seconds
    qint64 notesCompactBytes = 32768; ///< harness.notes_compact_bytes

    /// The environment variable the API key file's content goes into.
    static constexpr char ApiKeyVariable[] = "ANTHROPIC_API_KEY";

    /// The API key in `path`, trimmed: read afresh at each call so that a rotated key is used at once.
    /// The file must be a regular file (symlinks are followed) with no permission bits for group or
    /// others, and not empty; the errors (ErrorCode::Config) name the file and what to fix, never
    /// the content.
    [[nodiscard]] static Result<QString> readApiKey(const QString &path);
    /// The same checks without keeping the key (engine start).
    [[nodiscard]] static Result<void> checkApiKeyFile(const QString &path);

    friend bool operator==(const HarnessSettings &, const HarnessSettings &) = default;
};

} // namespace hive::engine
