// SPDX-License-Identifier: MIT
#pragma once

#include "agentscontroller.h"
#include "approvalscontroller.h"
#include "auditcontroller.h"
#include "eventscontroller.h"
#include "harnessescontroller.h"
#include "lifecyclecontroller.h"
#include "messagescontroller.h"
#include "reposcontroller.h"
#include "retentioncontroller.h"
#include "sessioncontroller.h"
#include "statscontroller.h"
#include "terminalscontroller.h"
#include "threadscontroller.h"
#include "tokenscontroller.h"

namespace hive::engine {

/// All controllers of the operator API as one overload set, which the Dispatcher is generated
/// against (protocol::ApiMethods). Adding a method to the list without a handle() here fails to
/// compile.
class ApiHandlers : public SessionController,
                    public TokensController,
                    public AuditController,
                    public EventsController,
                    public AgentsController,
                    public MessagesController,
                    public ThreadsController,
                    public LifecycleController,
                    public TerminalsController,
                    public ApprovalsController,
                    public RetentionController,
                    public ReposController,
                    public HarnessesController,
                    public StatsController
{
public:
    explicit ApiHandlers(ApiServices &services)
        : SessionController(services), TokensController(services), AuditController(services),
          EventsController(services), AgentsController(services), MessagesController(services),
          ThreadsController(services), LifecycleController(services), TerminalsController(services),
          ApprovalsController(services), RetentionController(services), ReposController(services),
          HarnessesController(services), StatsController(services)
    {}
    using AgentsController::handle;
    using ApprovalsController::handle;
    using AuditController::handle;
    using EventsController::handle;
    using HarnessesController::handle;
    using LifecycleController::handle;
    using MessagesController::handle;
    using ReposController::handle;
    using RetentionController::handle;
    using SessionController::handle;
    using StatsController::handle;
    using TerminalsController::handle;
    using ThreadsController::handle;
    using TokensController::handle;
};

} // namespace hive::engine
