// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/audit.h"
#include "result.h"

namespace hive::engine {

/// audit_list and audit_verify.
class AuditController
{
public:
    explicit AuditController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::AuditListResult> handle(const protocol::AuditListParams &params,
                                                           const CallContext &context);
    [[nodiscard]] Result<protocol::AuditVerifyResult> handle(const protocol::AuditVerifyParams &params,
                                                             const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
