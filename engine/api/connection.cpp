// SPDX-License-Identifier: MIT
#include "connection.h"

namespace hive::engine {

void Connection::sendReply(const QByteArray &frame)
{
    if (m_closing)
        return;
    send(frame);
    if (!m_closeReason.isEmpty())
        close(m_closeReason);
}

} // namespace hive::engine
