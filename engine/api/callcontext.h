// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"

#include <QPointer>

namespace hive::engine {

/// What a handler knows about the call besides its params.
struct CallContext {
    QPointer<Connection> connection; ///< null once the client went away
    std::optional<Session> session;  ///< as it was when the call arrived
    QString method;

    /// The name recorded as the actor (audit rows, created_by).
    [[nodiscard]] QString actor() const { return session ? session->tokenName : QStringLiteral("anonymous"); }
};

} // namespace hive::engine
