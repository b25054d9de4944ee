// SPDX-License-Identifier: MIT
#pragma once

#include "fakemodelstep.h"

#include <QByteArray>
#include <QList>

#include <functional>

namespace hive::test {

/// The bytes of Messages API answers in the shape the agent CLI accepts (docs: /work/shared/notes/agent-cli.md
/// §5): server-sent events for a streamed reply, and the JSON body of an error.
struct FakeMessageStream {
    /// One SSE frame, "event: TYPE\ndata: JSON\n\n", TYPE taken from the object's "type".
    [[nodiscard]] static QByteArray frame(const QJsonObject &data);
    /// message_start, ping, content_block_start/delta/stop per block, message_delta, message_stop.
    /// `nextToolId` names tool calls whose script gave no id.
    [[nodiscard]] static QList<QByteArray> reply(const FakeModelStep &step, const QString &model,
                                                 const QString &messageId, const std::function<QString()> &nextToolId);
    /// {"type":"error","error":{"type":TYPE,"message":MESSAGE}}
    [[nodiscard]] static QByteArray errorBody(const QString &type, const QString &message);
};

} // namespace hive::test
