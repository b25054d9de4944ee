// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace hive {

/// Error kinds shared by the engine, its clients and the harness. Each has a stable snake_case
/// name (sent as `error.data.kind`) and one JSON-RPC code; see docs/protocol.md. Never renumber.
enum class ErrorCode {
    ParseError,       ///< the frame is not JSON
    InvalidRequest,   ///< JSON, but not a JSON-RPC 2.0 request (or a batch, or too large)
    MethodNotFound,   ///< no such method on this surface
    InvalidParams,    ///< missing, unknown or mistyped parameters
    Internal,         ///< a fault inside the engine; the message says what
    Unauthenticated,  ///< no hello yet, or a bad token
    Forbidden,        ///< the caller's role does not allow the method
    NotFound,         ///< a named thing does not exist
    AlreadyExists,    ///< a named thing exists already
    ResyncRequired,   ///< the client's since_seq is older than the kept event history
    ProtocolMismatch, ///< the client speaks an incompatible protocol major version
    TooLarge,         ///< a frame or body over its cap
    Unavailable,      ///< the engine cannot do it now (shutting down, busy, missing prerequisite)
    Io,               ///< a file, socket or database operation failed
    Config,           ///< a configuration file or value is invalid
    Tls,              ///< certificate, key or handshake problem
    Conflict,         ///< the thing is not in a state that allows the call (an approval already resolved)
};

[[nodiscard]] int jsonRpcCode(ErrorCode code);
[[nodiscard]] ErrorCode errorCodeFromJsonRpc(int jsonRpcCode, const QString &kind);
[[nodiscard]] QString errorCodeName(ErrorCode code);

} // namespace hive
