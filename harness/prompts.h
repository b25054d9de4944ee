// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/messages.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace hive::harness {

/// A prompt template from the harness's resources (`harness/prompts/NAME.md`): "agent",
/// "manager" or "notes-compact". Empty for an unknown name.
[[nodiscard]] QString promptTemplate(const QString &name);

/// Replaces each `{label}` (lowercase letters, digits and `_`) with its value. Labels without a value
/// are left as they are and listed in `unknown` when it is given, so a test can prove a template
/// and its caller agree.
[[nodiscard]] QString renderTemplate(const QString &text, const QHash<QString, QString> &values,
                                     QStringList *unknown = nullptr);

/// The kind of a message's sender as telemetry counts it: "system", "operator", "manager" or "peer".
[[nodiscard]] QString senderKind(const QString &from);

/// The prompt that wakes the agent for one message: who sent it, when, what it answers, its body,
/// whether it comes again after an unfinished turn, and how many more are waiting.
[[nodiscard]] QString wakePrompt(const protocol::Message &message, qint64 pending);

} // namespace hive::harness
