// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl events`: subscribes (replaying from --since) and prints each event as it comes,
/// until --count events were printed, Ctrl-C or SIGTERM (exit 0), or the connection is lost
/// (exit 2). A too old --since is the engine's resync_required (exit 1).
class EventsCommand
{
public:
    EventsCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int run();

private:
    void print(const QJsonObject &event);

    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
