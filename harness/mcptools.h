// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

namespace hive::harness {

/// One tool of the `hive` MCP server: what the model is shown (name, description, JSON Schema)
/// and how its arguments become the params of the agent-socket method of the same name.
struct McpTool {
    QString name;
    QString title;
    QString description;
    QJsonObject inputSchema;
    bool managerOnly = false;
    bool readOnly = false;    ///< changes nothing (MCP annotation readOnlyHint)
    bool destructive = false; ///< stops what runs (destructiveHint)
    bool idempotent = false;  ///< repeating it changes nothing more (idempotentHint)
    /// The params to send, checked by the protocol struct's fromJson as the engine will check
    /// them; an invalid_params error carries the engine's exact message.
    std::function<Result<QJsonObject>(const QJsonObject &arguments)> prepare;

    /// The tools/list entry. `title` and annotations exist from some protocol revisions on.
    [[nodiscard]] QJsonObject describe(bool withTitle, bool withAnnotations) const;
};

/// The tool catalogue: the agent surface every agent gets, then the manager's tools.
class McpTools
{
public:
    [[nodiscard]] static const QList<McpTool> &all();
    [[nodiscard]] static const McpTool *find(const QString &name);
    /// Advice for the model after an engine error of this tool, or empty.
    [[nodiscard]] static QString hint(const QString &tool, const Error &error);
};

} // namespace hive::harness
