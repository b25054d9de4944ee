// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/tokens.h"
#include "result.h"

namespace hive::engine {

/// token_create, token_list, token_revoke (admin).
class TokensController
{
public:
    explicit TokensController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::TokenCreateResult> handle(const protocol::TokenCreateParams &params,
                                                             const CallContext &context);
    [[nodiscard]] Result<protocol::TokenListResult> handle(const protocol::TokenListParams &params,
                                                           const CallContext &context);
    [[nodiscard]] Result<protocol::TokenRevokeResult> handle(const protocol::TokenRevokeParams &params,
                                                             const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
