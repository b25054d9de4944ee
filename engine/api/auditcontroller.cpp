// SPDX-License-Identifier: MIT
#include "auditcontroller.h"

#include "store/auditlog.h"

namespace hive::engine {

Result<protocol::AuditListResult> AuditController::handle(const protocol::AuditListParams &params,
                                                          const CallContext & /*context*/)
{
    return m_services.audit.list(params);
}

Result<protocol::AuditVerifyResult> AuditController::handle(const protocol::AuditVerifyParams & /*params*/,
                                                            const CallContext & /*context*/)
{
    return m_services.audit.verify();
}

} // namespace hive::engine
