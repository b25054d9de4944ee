// SPDX-License-Identifier: MIT
#pragma once

#include "api/callcontext.h"
#include "protocol/harness.h"
#include "result.h"

namespace hive::engine {

class Harnesses;

/// The harness's own calls on its agent's socket: harness_attach, harness_state and turn_event.
/// The agent is the socket's (CallContext's session), never a name in the params.
class HarnessController
{
public:
    /// The engine makes the harnesses before serving; until then the calls are Unavailable.
    void setHarnesses(Harnesses &harnesses) { m_harnesses = &harnesses; }

    [[nodiscard]] Result<protocol::HarnessAttachResult> handle(const protocol::HarnessAttachParams &params,
                                                               const CallContext &context);
    [[nodiscard]] Result<protocol::HarnessStateResult> handle(const protocol::HarnessStateParams &params,
                                                              const CallContext &context);
    [[nodiscard]] Result<protocol::TurnEventResult> handle(const protocol::TurnEventParams &params,
                                                           const CallContext &context);

private:
    Result<Harnesses *> harnesses() const;

    Harnesses *m_harnesses = nullptr;
};

} // namespace hive::engine
