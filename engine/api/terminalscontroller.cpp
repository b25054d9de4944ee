// SPDX-License-Identifier: MIT
#include "terminalscontroller.h"

#include "terminals/terminalsessions.h"

namespace hive::engine {

Result<protocol::TerminalOpenResult> TerminalsController::handle(const protocol::TerminalOpenParams &params,
                                                                 const CallContext &context)
{
    return m_services.terminals.open(params, context);
}

Result<protocol::TerminalInputResult> TerminalsController::handle(const protocol::TerminalInputParams &params,
                                                                  const CallContext &context)
{
    return m_services.terminals.input(params, context);
}

Result<protocol::TerminalRef> TerminalsController::handle(const protocol::TerminalResizeParams &params,
                                                          const CallContext &context)
{
    return m_services.terminals.resize(params, context);
}

Result<protocol::TerminalRef> TerminalsController::handle(const protocol::TerminalCloseParams &params,
                                                          const CallContext &context)
{
    return m_services.terminals.close(params, context);
}

} // namespace hive::engine
