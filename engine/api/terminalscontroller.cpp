// SPDX-License-Identifier: MIT
#include "terminalscontroller.h"

#include "approvals/approvals.h"
#include "terminals/terminalsessions.h"

namespace hive::engine {

Result<protocol::TerminalOpenResult> TerminalsController::handle(const protocol::TerminalOpenParams &params,
                                                                 const CallContext &context)
{
    // agent.toml's `terminal = false` closes the container to operators' shells.
    auto deployed = m_services.approvals.deployedConfig(params.agent);
    if (!deployed)
        return fail(deployed.error());
    if (*deployed) {
        auto config = parseAgentConfig((*deployed)->toml);
        if (config && !config->terminal) {
            return fail(ErrorCode::Forbidden,
                        QStringLiteral("'%1' does not allow terminals (terminal = false in its agent.toml, deployed "
                                       "at %2)")
                            .arg(params.agent, shortSha((*deployed)->commit)));
        }
    }
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
