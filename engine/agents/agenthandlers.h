// SPDX-License-Identifier: MIT
#pragma once

#include "brokercontroller.h"
#include "managercontroller.h"

namespace hive::engine {

/// The agent surface's controllers as one overload set, which the agents' Dispatcher is
/// generated against (protocol::AgentMethods).
class AgentHandlers : public BrokerController, public ManagerController
{
public:
    AgentHandlers(Broker &broker, AgentRegistry &agents, Questions &questions, Reminders &reminders)
        : BrokerController(broker, agents, questions, reminders)
    {}
    using BrokerController::handle;
    using ManagerController::handle;
};

} // namespace hive::engine
