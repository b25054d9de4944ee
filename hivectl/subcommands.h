// SPDX-License-Identifier: MIT
#pragma once

#include "invocation.h"
#include "result.h"

#include <QHash>
#include <QStringList>

namespace hive::ctl {

/// `agent ...`: add, list, set-recipients, shell and the container lifecycle (agentarguments.cpp).
[[nodiscard]] Result<void> parseAgentCommand(const QStringList &words, const QHash<QString, QString> &options,
                                             Invocation &invocation);
/// questions, answer, reminders and threads (threadarguments.cpp).
[[nodiscard]] Result<void> parseThreadCommand(const QStringList &words, const QHash<QString, QString> &options,
                                              Invocation &invocation);
/// approval list|show|approve|deny, spawn, draft list|discard and gc (approvalarguments.cpp).
[[nodiscard]] Result<void> parseApprovalCommand(const QStringList &words, const QHash<QString, QString> &options,
                                                Invocation &invocation);

/// stats [AGENT] [--keys K,K] [--since SPAN|ISO] [--bucket SECONDS] (statsarguments.cpp).
[[nodiscard]] Result<void> parseStatsCommand(const QStringList &words, const QHash<QString, QString> &options,
                                             Invocation &invocation);

} // namespace hive::ctl
