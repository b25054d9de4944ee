// SPDX-License-Identifier: MIT
#pragma once

#include "brokercontroller.h"
#include "harnesscontroller.h"
#include "managercontroller.h"
#include "managerlifecyclecontroller.h"
#include "telemetrycontroller.h"

namespace hive::engine {

/// The agent surface's controllers as one overload set, which the agents' Dispatcher is
/// generated against (protocol::AgentMethods).
class AgentHandlers : public BrokerController,
                      public ManagerController,
                      public ManagerLifecycleController,
                      public HarnessController,
                      public TelemetryController
{
public:
    AgentHandlers(Broker &broker, AgentRegistry &agents, Questions &questions, Reminders &reminders)
        : BrokerController(broker, agents, questions, reminders)
    {}
    using BrokerController::handle;
    using HarnessController::handle;
    using ManagerController::attach;
    using ManagerController::handle;
    using ManagerLifecycleController::attach;
    using ManagerLifecycleController::handle;
    using TelemetryController::handle;
    /// The harnesses serve the harness's own calls and complete `config`.
    void setHarnesses(Harnesses &harnesses)
    {
        HarnessController::setHarnesses(harnesses);
        ManagerController::setHarnesses(harnesses);
    }
};

} // namespace hive::engine
