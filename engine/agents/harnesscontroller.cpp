// SPDX-License-Identifier: MIT
#include "harnesscontroller.h"

#include "harnesses.h"

namespace hive::engine {

Result<Harnesses *> HarnessController::harnesses() const
{
    if (!m_harnesses)
        return fail(ErrorCode::Unavailable, QStringLiteral("the engine is starting: harness calls are not served yet"));
    return m_harnesses;
}

Result<protocol::HarnessAttachResult> HarnessController::handle(const protocol::HarnessAttachParams &params,
                                                                const CallContext &context)
{
    auto harnesses = this->harnesses();
    if (!harnesses)
        return fail(harnesses.error());
    if (!context.connection)
        return fail(ErrorCode::Unavailable, QStringLiteral("the connection closed before harness_attach was served"));
    return (*harnesses)->attach(context.actor(), *context.connection, params);
}

Result<protocol::HarnessStateResult> HarnessController::handle(const protocol::HarnessStateParams &params,
                                                               const CallContext &context)
{
    auto harnesses = this->harnesses();
    if (!harnesses)
        return fail(harnesses.error());
    if (auto reported = (*harnesses)->report(context.actor(), context.connection.data(), params); !reported)
        return fail(reported.error());
    return protocol::HarnessStateResult{};
}

Result<protocol::TurnEventResult> HarnessController::handle(const protocol::TurnEventParams &params,
                                                            const CallContext &context)
{
    auto harnesses = this->harnesses();
    if (!harnesses)
        return fail(harnesses.error());
    if (auto published = (*harnesses)->turnEvent(context.actor(), context.connection.data(), params); !published)
        return fail(published.error());
    return protocol::TurnEventResult{};
}

} // namespace hive::engine
