// SPDX-License-Identifier: MIT
#pragma once

#include "fakemodelstep.h"
#include "result.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

namespace hive::test {

/// The scripts of FakeModelServer and their cursors, one per agent: which step answers a Messages request. An agent
/// without a script of its own runs its own copy of the "*" script. Compaction requests are answered with a
/// summary and use no step; past the end of a script the answer is the text "(script exhausted)".
class FakeModelScript
{
public:
    static constexpr QLatin1StringView AnyAgent{"*"};
    /// The start of the prompt of a compaction request.
    static constexpr QLatin1StringView CompactionMarker{"CRITICAL: Respond with TEXT ONLY"};

    /// What answers one request.
    struct Decision {
        enum class Kind { Step, Compaction, Exhausted };
        Kind kind = Kind::Step;
        int stepIndex = -1; ///< the step's index in the agent's script (Kind::Step)
        FakeModelStep step; ///< what to send
        QString failure;    ///< a failed expectation or the exhausted script, for FakeModelServer::failures()
    };

    /// Replaces one agent's script and rewinds its cursor ("*": also of every agent without a script of its own).
    [[nodiscard]] Result<void> set(const QString &agent, const QJsonArray &steps);
    /// {"agents": {NAME: [steps...], ...}, "compaction_summary"?: string}; replaces all scripts, rewinds all
    /// cursors. Nothing changes when it fails.
    [[nodiscard]] Result<void> load(const QJsonObject &document);
    void setCompactionSummary(const QString &summary) { m_compactionSummary = summary; }

    /// Answers the request `body` of `agent` and moves the agent's cursor.
    [[nodiscard]] Decision next(const QString &agent, const QJsonObject &body);

    [[nodiscard]] int compactions(const QString &agent) const { return m_agents.value(agent).compactions; }
    /// Requests the agent's script will still answer (a step with repeat N counts N).
    [[nodiscard]] int stepsLeft(const QString &agent) const;

    /// The texts of the request's last user message: text blocks, and the text inside tool_result blocks.
    [[nodiscard]] static QStringList lastUserTexts(const QJsonObject &body);

private:
    struct Cursor {
        QList<FakeModelStep> steps;
        bool ownScript = false; ///< false: a copy of the "*" script
        int next = 0;           ///< the step answering next
        int used = 0;           ///< requests that step has answered so far
        int answered = 0;       ///< requests answered from the script or as exhausted
        int compactions = 0;
    };

    Cursor &cursor(const QString &agent);

    QHash<QString, Cursor> m_agents;
    QString m_compactionSummary = QStringLiteral("SUMMARY");
};

} // namespace hive::test
