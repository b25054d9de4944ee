// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/terminals.h"
#include "result.h"

namespace hive::engine {

/// terminal_open, terminal_input, terminal_resize, terminal_close (operator): see TerminalSessions.
class TerminalsController
{
public:
    explicit TerminalsController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::TerminalOpenResult> handle(const protocol::TerminalOpenParams &params,
                                                              const CallContext &context);
    [[nodiscard]] Result<protocol::TerminalInputResult> handle(const protocol::TerminalInputParams &params,
                                                               const CallContext &context);
    [[nodiscard]] Result<protocol::TerminalRef> handle(const protocol::TerminalResizeParams &params,
                                                       const CallContext &context);
    [[nodiscard]] Result<protocol::TerminalRef> handle(const protocol::TerminalCloseParams &params,
                                                       const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
